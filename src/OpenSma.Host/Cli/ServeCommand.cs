using System.CommandLine;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenSma.ControlPlane;
using OpenSma.ControlPlane.Http;
using OpenSma.ControlPlane.S3;
using OpenSma.Engine;
using OpenSma.Engine.Control;
using OpenSma.Engine.Invocation;
using OpenSma.Engine.Legs;
using OpenSma.Engine.Virtual;
using OpenSma.Functions.Hosting;
using OpenSma.Functions.LambdaApi;
using OpenSma.Host.Calls;
using OpenSma.Host.Metrics;
using OpenSma.Host.Numbers;
using OpenSma.Host.Proxy;
using OpenSma.Sip;
using OpenSma.Storage.Objects;
using OpenSma.Storage.Resources;
using OpenSma.Telephony;

namespace OpenSma.Host.Cli;

/// <summary>
/// <c>opensma serve</c>: the long-running host with embedded defaults: the call engine, the Chime
/// SDK Voice API and the Lambda API on one HTTP address, local functions, the SIP endpoint, and the
/// data directory (SQLite store, bucket folders).
/// </summary>
internal static class ServeCommand
{
    public static Command Create(Option<string> dataDir)
    {
        var apiUrl = new Option<string>("--api-url") { Description = "Where the Chime SDK Voice and Lambda APIs listen.", DefaultValueFactory = _ => "http://127.0.0.1:8686" };
        var sipPort = new Option<int>("--sip-port") { Description = "SIP port for UDP and TCP; 0 disables SIP.", DefaultValueFactory = _ => 5060 };
        var sipAddress = new Option<string>("--sip-address") { Description = "Address SIP binds to.", DefaultValueFactory = _ => "0.0.0.0" };
        var config = new Option<string?>("--config") { Description = "Configuration file (default opensma.json when present): ControlPlane (account, region, SigV4, pools, quotas), Store (sqlite or postgresql), Storage (bucket backends, S3, SMA access), Speech (espeak-ng or polly), Functions, Telephony (RTP ports, advertised address, trunk checks), VirtualPhones (scripted phones by number, as in call --callee)." };
        var advertised = new Option<string?>("--advertised-address") { Description = "IP address peers reach this host at, written into SIP Via/Contact and SDP (default: Telephony:AdvertisedAddress, else the primary IPv4 address)." };
        var rtpPorts = new Option<string?>("--rtp-ports") { Description = "UDP port range for RTP/RTCP, e.g. 20000-29999 (default: Telephony:RtpPortMin-RtpPortMax)." };
        var command = new Command("serve", "Run OpenSMA with embedded defaults until Ctrl-C: call engine, Chime SDK Voice API, Lambda API and local functions, SIP endpoint, SQLite store and bucket folders under --data-dir. GET /metrics on the API address serves Prometheus metrics (docs/operations.md).")
        {
            apiUrl, sipPort, sipAddress, config, advertised, rtpPorts,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var dir = Path.GetFullPath(result.GetValue(dataDir)!);
            Directory.CreateDirectory(dir);
            var url = result.GetValue(apiUrl)!;
            // RTP callbacks are short and never block: running them on the socket thread saves a
            // thread-pool hop per packet (docs/performance.md). Read when the first socket is made.
            if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
            {
                Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
            }

            WebApplication? app = null;
            try
            {
                var configuration = ServeConfiguration.Load(result.GetValue(config));
                var telephony = ServeConfiguration.Telephony(configuration, result.GetValue(advertised), result.GetValue(rtpPorts));
                app = Build(dir, url, result.GetValue(sipAddress)!, result.GetValue(sipPort), configuration, telephony);
                await app.StartAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException or InvalidDataException)
            {
                // A bad setting names its key; sections read when their service is made fail at start.
                await Console.Error.WriteLineAsync("opensma serve: " + ex.Message);
                if (app is not null)
                {
                    await app.DisposeAsync();
                }

                return 2;
            }

            await using var running = app;
            await Console.Out.WriteLineAsync($"OpenSMA serving: API {url}, data directory {dir}");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }

            await app.StopAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }

    internal static WebApplication Build(string dataDirectory, string apiUrl, string sipAddress, int sipPort, IConfiguration? configuration = null, TelephonyOptions? telephony = null)
    {
        var dataLock = DataDirectoryLock.Acquire(dataDirectory);
        try
        {
            var app = Build(dataDirectory, apiUrl, sipAddress, sipPort, configuration, telephony, dataLock);
            // Resolved once so the host disposes it (and lets the directory go) with everything else.
            _ = app.Services.GetRequiredService<DataDirectoryLock>();
            return app;
        }
        catch
        {
            dataLock.Dispose();
            throw;
        }
    }

    private static WebApplication Build(string dataDirectory, string apiUrl, string sipAddress, int sipPort, IConfiguration? configuration, TelephonyOptions? telephony, DataDirectoryLock dataLock)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddSingleton(_ => dataLock);
        builder.WebHost.UseUrls(apiUrl);
        if (ApiCertificate.Load(configuration?.GetSection("ControlPlane")) is { } certificate)
        {
            builder.WebHost.UseApiCertificate(certificate);
        }

        builder.Logging.SetMinimumLevel(LogLevel.Information);
        var services = builder.Services;
        var time = TimeProvider.System;
        services.AddSingleton(time);
        // Buckets: folders under the data directory by default, S3 backends and access rules by configuration.
        var objects = ObjectStoreFactory.Create(ServeConfiguration.Storage(configuration), dataDirectory);
        services.AddSingleton(objects);
        services.AddSingleton<IObjectStore>(objects);
        var controlPlane = ServeConfiguration.ControlPlane(configuration, dataDirectory);
        // Checked (and their WAV files loaded) now, so a bad script stops start-up naming its key.
        var virtualPhones = VirtualPhones.Read(configuration);
        if (sipPort > 0)
        {
            // Real telephony: outbound legs are SIP calls, inbound INVITEs are routed by SIP rules.
            // The voice-connector quotas (ControlPlane:Quotas, null while quotas are off) apply to trunk calls.
            var telephonyOptions = (telephony ?? ServeConfiguration.Telephony(configuration)) with
            {
                VoiceConnectorCallsPerSecond = controlPlane.Quotas.VoiceConnectorCallRateLimit,
                MaxVoiceConnectorConcurrentCalls = controlPlane.Quotas.VoiceConnectorConcurrentCallLimit,
            };
            var endpoint = new IPEndPoint(IPAddress.Parse(sipAddress), sipPort);
            services.AddSingleton(sp => new SipEndpoint(
                ServeConfiguration.Sip(configuration, new SipEndpointOptions { UdpEndPoints = [endpoint], TcpEndPoints = [endpoint], AdvertisedHost = telephonyOptions.AdvertisedAddress }),
                time,
                sp.GetRequiredService<ILoggerFactory>()));
            services.AddSingleton(sp => new SipTelephony(
                sp.GetRequiredService<SipEndpoint>(),
                RoutingStore(sp),
                telephonyOptions,
                time,
                sp.GetRequiredService<ILoggerFactory>(),
                telephonyOptions.AdvertisedAddress ?? (endpoint.Address.Equals(IPAddress.Any) ? null : sipAddress)));
            if (virtualPhones.Count > 0)
            {
                // Configured virtual phones take their numbers before any SIP route (own number,
                // softphone, trunk); every other leg is dialled over SIP as before.
                AddVirtualPhones(services, time, virtualPhones, sp => sp.GetRequiredService<SipTelephony>().LegFactory);
            }
            else
            {
                services.AddSingleton<ICallLegFactory>(sp => sp.GetRequiredService<SipTelephony>().LegFactory);
            }

            services.AddHostedService<SipService>();
        }
        else
        {
            // Without SIP, outbound calls ring virtual phones: the configured ones run their
            // scripts, any other number answers.
            AddVirtualPhones(services, time, virtualPhones, sip: null);
        }

        services.AddSingleton(sp => new HttpHandlerResolver());
        services.AddSingleton<EngineCounters>();
        services.AddSingleton(sp => new CallEngine(
            new EngineOptions
            {
                Speech = ServeConfiguration.Speech(configuration, new HttpClient(), time),
                IsOwnedNumber = sp.GetRequiredService<OwnedNumbers>().Contains,
                MaxActiveCalls = controlPlane.Quotas.ActiveCallLimit,
            },
            time,
            sp.GetRequiredService<IObjectStore>(),
            sp.GetRequiredService<ICallLegFactory>(),
            [sp.GetRequiredService<HttpHandlerResolver>(), .. sp.GetServices<IHandlerEndpointResolver>()],
            sp.GetRequiredService<ILoggerFactory>())
        {
            DefaultTrace = sp.GetRequiredService<EngineCounters>(),
        });
        services.AddSingleton(sp => new ServeMetrics(
            sp.GetRequiredService<CallEngine>(), sp.GetRequiredService<EngineCounters>(), sp.GetService<SipTelephony>(), sp.GetService<SipEndpoint>(), sp.GetService<VirtualPhoneLegFactory>(),
            ServeMetrics.ChangeFeedOf(RoutingStore(sp))));
        services.AddSingleton<ICallControl>(sp => sp.GetRequiredService<CallEngine>());
        services.AddOpenSmaControlPlane(controlPlane);
        services.AddOwnedNumbers();
        services.AddOpenSmaS3(new S3ApiOptions { SigV4 = controlPlane.SigV4, Region = controlPlane.AwsRegion });
        services.AddOpenSmaFunctions((IConfiguration?)configuration?.GetSection("Functions") ?? new ConfigurationBuilder().Build(), o =>
        {
            o.ServiceBaseUrl = new Uri(apiUrl);
            o.WorkDirectory = Path.Combine(dataDirectory, "functions");
            // Functions, versions and aliases made through the API survive a restart ("Functions": { "Durable": false } turns it off).
            o.Durable ??= true;
            o.Region = controlPlane.AwsRegion;
            o.AccountId = controlPlane.AwsAccountId;
        });
        var app = builder.Build();
        // Made now rather than at the first call, so a bad Speech setting stops start-up.
        _ = app.Services.GetRequiredService<CallEngine>();
        // The inventory is in memory before the first call can ask whether a caller ID is owned.
        app.Services.GetRequiredService<OwnedNumbers>().RefreshAsync(CancellationToken.None).GetAwaiter().GetResult();
        // S3 requests (SigV4 scope "s3", presigned URLs) are answered before the Chime and Lambda routes.
        app.UseOpenSmaS3();
        app.MapChimeSdkVoiceApi();
        app.MapLambdaApi();
        app.MapOpenSmaMetrics();
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            foreach (var transaction in app.Services.GetRequiredService<CallEngine>().Transactions)
            {
                transaction.Abort("host stopping");
            }
        });
        return app;
    }

    /// <summary>
    /// The store telephony reads routes from: the control plane's store beneath the
    /// <see cref="NumberWatchingStore"/> (telephony only reads, and that wrapper has no change
    /// signal). With SQLite it is the control plane's read cache, which the router uses as it is;
    /// with PostgreSQL it is the SQL store itself, whose signal (this process's writes and, through
    /// LISTEN/NOTIFY, the other servers') lets the router keep its route cache.
    /// </summary>
    internal static IResourceStore RoutingStore(IServiceProvider services)
    {
        var store = services.GetRequiredService<IResourceStore>();
        return store is NumberWatchingStore watching ? watching.Inner : store;
    }

    /// <summary>The engine's leg factory rings virtual phones first, then <paramref name="sip"/> (or, without SIP, the network's default party).</summary>
    private static void AddVirtualPhones(IServiceCollection services, TimeProvider time, VirtualPhones phones, Func<IServiceProvider, ICallLegFactory>? sip)
    {
        services.AddSingleton(sp => new VirtualNetwork(time) { RetainLegs = false });
        services.AddSingleton(sp => new VirtualPhoneLegFactory(
            sp.GetRequiredService<VirtualNetwork>(),
            time,
            phones,
            sip?.Invoke(sp),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("OpenSma.Host.VirtualPhones")));
        services.AddSingleton<ICallLegFactory>(sp => sp.GetRequiredService<VirtualPhoneLegFactory>());
    }

    /// <summary>Starts SIP with the inbound router attached to the engine and to proxy sessions; stops it with the host.</summary>
    private sealed class SipService(SipEndpoint sip, SipTelephony telephony, CallEngine engine, IResourceStore store, TimeProvider time) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            // Calls to a proxy number are routed by proxy session before the SIP rules are consulted.
            telephony.Attach(engine).UseProxySessions(new ControlPlaneProxyCalls(store, time), telephony.LegFactory);
            return sip.StartAsync(cancellationToken);
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            await sip.StopAsync(cancellationToken);
            telephony.Dispose();
        }
    }
}
