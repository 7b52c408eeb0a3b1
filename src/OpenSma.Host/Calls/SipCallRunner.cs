using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using OpenSma.Engine;
using OpenSma.Engine.Invocation;
using OpenSma.Engine.Legs;
using OpenSma.Engine.Transactions;
using OpenSma.Engine.Virtual;
using OpenSma.Media.Audio;
using OpenSma.Media.Rtp;
using OpenSma.Sip;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;
using OpenSma.Storage.Objects;
using OpenSma.Storage.Resources;
using OpenSma.Telephony;
using OpenSma.Telephony.Legs;
using OpenSma.Telephony.Phone;

namespace OpenSma.Host.Calls;

/// <summary>
/// <c>opensma call --sip</c>: the same call as the virtual one, but over real SIP and RTP on
/// loopback. It hosts the engine, a SIP endpoint and the inbound router on 127.0.0.1 (free ports),
/// points a temporary SIP rule at the handler, and OpenSMA's own scripted phone dials it. Numbers
/// of the configuration's <c>VirtualPhones</c> section ring those scripted virtual phones first,
/// exactly as in serve (<see cref="VirtualPhoneLegFactory"/> before the SIP leg factory); every other
/// number that CallAndBridge calls is answered by a scripted SIP phone behind a temporary voice
/// connector (<c>--callee</c>, or one that answers after 2 s). Exit codes as for the virtual call.
/// </summary>
internal static class SipCallRunner
{
    // Engine legs and the scripted phones take RTP ports from separate ranges below the ephemeral range.
    private const int EngineRtpMin = 30000;
    private const int EngineRtpMax = 30999;
    private const int PhoneRtpMin = 31000;
    private const int PhoneRtpMax = 31999;

    public static async Task<int> RunAsync(VirtualCallOptions options, TextWriter output, IEnumerable<IHandlerEndpointResolver> extraResolvers, CancellationToken cancellationToken)
    {
        var time = TimeProvider.System;
        var scratch = Directory.CreateTempSubdirectory("opensma-call-sip-");
        var store = await ResourceStoreFactory.OpenAsync(ResourceStoreOptions.ForSqlite(scratch.FullName), time, cancellationToken).ConfigureAwait(false);
        await using var engineSip = Loopback(time);
        await using var calleeSip = Loopback(time);
        await using var callerSip = Loopback(time);
        using var telephony = new SipTelephony(engineSip, store, new TelephonyOptions { RtpPortMin = EngineRtpMin, RtpPortMax = EngineRtpMax, RtpBindAddress = "127.0.0.1", AdvertisedAddress = "127.0.0.1" }, time);
        var plane = telephony.Media;
        // serve's VirtualPhones precedence: a configured number rings its virtual phone, bridged to
        // the SIP caller; any other leg is dialled over SIP. A --callee for the number wins.
        using var network = new VirtualNetwork(time);
        var phones = options.ConfiguredPhonesNotOnCommandLine();
        var virtualPhones = new VirtualPhoneLegFactory(network, time, phones, telephony.LegFactory, NullLogger.Instance);
        ICallLegFactory legs = phones.Count > 0 ? virtualPhones : telephony.LegFactory;
        using var http = new HttpHandlerResolver();
        try
        {
            await engineSip.StartAsync(cancellationToken).ConfigureAwait(false);
            await calleeSip.StartAsync(cancellationToken).ConfigureAwait(false);
            await callerSip.StartAsync(cancellationToken).ConfigureAwait(false);

            var trace = new LadderTrace(output, time, options.Json, options.Verbose);
            var objects = options.OpenObjects();
            var engine = new CallEngine(new EngineOptions { AwsAccountId = options.AwsAccountId, AwsRegion = options.AwsRegion, Speech = options.Speech }, time, objects, legs, [http, .. extraResolvers])
            {
                DefaultTrace = trace,
            };
            var router = telephony.Attach(engine);
            var started = new TaskCompletionSource<CallTransaction>(TaskCreationOptions.RunContinuationsAsynchronously);
            router.CallStarted += (_, transaction) => started.TrySetResult(transaction);
            await ConfigureAsync(store, options, calleeSip.Transports[0].LocalEndPoint.Port, time, cancellationToken).ConfigureAwait(false);

            var phonePorts = new RtpPortAllocator(PhoneRtpMin, PhoneRtpMax);
            var callees = new Callees(calleeSip, phonePorts, plane, options);
            var caller = new SipPhone(callerSip, phonePorts, plane.Clock, time, new SipPhoneOptions { MaxDuration = options.MaxDuration, RingTimeout = options.MaxDuration });
            var target = SipUri.Sip(options.To, "127.0.0.1", engineSip.Transports[0].LocalEndPoint.Port);
            var from = new SipNameAddress(SipUri.Sip(options.From, "127.0.0.1"));
            var headers = options.SipHeaders?.Select(h => new SipHeader(h.Key, h.Value)).ToList();
            var report = await caller.DialAsync(target, from, options.Caller, headers, cancellationToken).ConfigureAwait(false);

            if (!started.Task.IsCompleted)
            {
                // The INVITE never reached a transaction (refused before NEW_INBOUND_CALL).
                await output.WriteLineAsync($"opensma call --sip: the call was refused: {report.FailureCode} {report.Error}").ConfigureAwait(false);
                return VirtualCallRunner.HandlerFailed;
            }

            var transaction = await started.Task.ConfigureAwait(false);
            var hungUpForMaxDuration = report.Events.OfType<PhoneHangingUp>().Any(h => h.Why == "maximum duration reached");
            // The caller's side is over; the transaction ends once its other legs are released too.
            var ended = await Task.WhenAny(transaction.Completion, Task.Delay(options.MaxDuration, time, cancellationToken)).ConfigureAwait(false) == transaction.Completion;
            if (!ended || hungUpForMaxDuration)
            {
                transaction.Abort("maximum duration reached");
                await transaction.Completion.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
            }

            // Callee phones end when their legs are released (they are by now, or within a BYE's round trip).
            await WriteRecordingsAsync(options, report, await callees.ReportsAsync().ConfigureAwait(false), virtualPhones.PhoneLegs, cancellationToken).ConfigureAwait(false);
            if (!ended || hungUpForMaxDuration)
            {
                return VirtualCallRunner.StillUp;
            }

            var reason = await transaction.Completion.ConfigureAwait(false);
            return reason == "all legs ended" ? VirtualCallRunner.Ended : VirtualCallRunner.HandlerFailed;
        }
        finally
        {
            if (store is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync().ConfigureAwait(false);
            }

            try
            {
                scratch.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static SipEndpoint Loopback(TimeProvider time) =>
        new(new SipEndpointOptions { UdpEndPoints = [new IPEndPoint(IPAddress.Loopback, 0)], TcpEndPoints = [] }, time, NullLoggerFactory.Instance);

    /// <summary>The temporary SMA and SIP rule for the called number, and a voice connector whose only route is the callee phones.</summary>
    private static async Task ConfigureAsync(IResourceStore store, VirtualCallOptions options, int calleePort, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await store.InsertAsync(new SipMediaApplication(options.SipMediaApplicationId, options.AwsAccountId, options.AwsRegion, "opensma-call", options.Handler, now, now), cancellationToken).ConfigureAwait(false);
        await store.InsertAsync(
            new SipRule("local-rule", "opensma-call", false, "ToPhoneNumber", options.To, [new SipRuleTarget(options.SipMediaApplicationId, 1, options.AwsRegion)], now, now),
            cancellationToken).ConfigureAwait(false);
        await store.InsertAsync(
            new VoiceConnector(
                "local-callees", options.AwsAccountId, options.AwsRegion, "opensma-call-callees", "callees.opensma.invalid", false, null, null, now, now,
                Origination: new VoiceConnectorOrigination([new OriginationRoute("127.0.0.1", calleePort, "UDP", 1, 1)], false)),
            cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteRecordingsAsync(VirtualCallOptions options, SipPhoneReport caller, IReadOnlyList<(string Number, SipPhoneReport Report)> callees, IEnumerable<VirtualLeg> virtualPhones, CancellationToken cancellationToken)
    {
        if (options.RecordDirectory is not { } dir)
        {
            return;
        }

        Directory.CreateDirectory(dir);
        await File.WriteAllBytesAsync(Path.Combine(dir, "caller-heard.wav"), WavWriter.WriteMono(caller.Heard.Samples.Span), cancellationToken).ConfigureAwait(false);
        foreach (var (number, report) in callees)
        {
            await File.WriteAllBytesAsync(Path.Combine(dir, $"{number.TrimStart('+')}-heard.wav"), WavWriter.WriteMono(report.Heard.Samples.Span), cancellationToken).ConfigureAwait(false);
        }

        foreach (var leg in virtualPhones)
        {
            await File.WriteAllBytesAsync(Path.Combine(dir, $"{FileName(leg.To)}-heard.wav"), WavWriter.WriteMono(leg.Heard().Samples.Span), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A dialled number as a file name: no leading '+', nothing a path could take for a separator.</summary>
    internal static string FileName(string number) =>
        string.Concat(number.TrimStart('+').Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '_'));

    /// <summary>The phones that answer calls placed by the handler: scripted by --callee, others answer after 2 s.</summary>
    private sealed class Callees
    {
        private readonly List<(string Number, Task<SipPhoneReport> Report)> _calls = [];
        private readonly Lock _gate = new();

        public Callees(SipEndpoint sip, RtpPortAllocator ports, MediaPlane plane, VirtualCallOptions options)
        {
            var phone = new SipPhone(sip, ports, plane.Clock, plane.Time, new SipPhoneOptions { MaxDuration = options.MaxDuration });
            var scripts = options.Callees.ToDictionary(c => c.Number, c => c.Party, StringComparer.Ordinal);
            sip.IncomingCall = dialog =>
            {
                var user = dialog.InitialInvite.RequestUri.User ?? string.Empty;
                var number = user.StartsWith('+') ? user : "+" + user;
                var party = scripts.GetValueOrDefault(number) ?? scripts.GetValueOrDefault(user) ?? new VirtualParty();
                lock (_gate)
                {
                    _calls.Add((number, phone.AnswerAsync(dialog, party)));
                }
            };
        }

        public async Task<IReadOnlyList<(string Number, SipPhoneReport Report)>> ReportsAsync()
        {
            List<(string Number, Task<SipPhoneReport> Report)> calls;
            lock (_gate)
            {
                calls = [.. _calls];
            }

            var reports = new List<(string, SipPhoneReport)>();
            foreach (var (number, report) in calls)
            {
                reports.Add((number, await report.ConfigureAwait(false)));
            }

            return reports;
        }
    }
}
