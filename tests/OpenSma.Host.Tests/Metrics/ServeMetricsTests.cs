using OpenSma.Media.Rtp;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Engine;
using OpenSma.Engine.Control;
using OpenSma.Engine.Invocation;
using OpenSma.Engine.Runtime;
using OpenSma.Engine.Virtual;
using OpenSma.Host.Metrics;
using OpenSma.Sip;
using OpenSma.Storage.Resources;
using OpenSma.Telephony;
using OpenSma.Storage.Objects;

namespace OpenSma.Host.Tests.Metrics;

/// <summary>A virtual call through a real engine on virtual time, and what <c>/metrics</c> says before and after it.</summary>
public sealed class ServeMetricsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("opensma-metrics-test-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Render_DuringAndAfterACall_TransactionGaugeAndEngineCounters()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
        var network = new VirtualNetwork(time);
        var handlers = new DelegateHandlerResolver();
        var calls = 0;
        // The first NEW_INBOUND_CALL attempt fails (FunctionError), the engine's retry gets a Hangup.
        handlers.Register("h", (json, _) =>
        {
            var type = JsonDocument.Parse(json).RootElement.GetProperty("InvocationEventType").GetString();
            if (type == "NEW_INBOUND_CALL" && Interlocked.Increment(ref calls) == 1)
            {
                throw new InvalidOperationException("first attempt fails");
            }

            var reply = type == "NEW_INBOUND_CALL"
                ? """{"SchemaVersion":"1.0","Actions":[{"Type":"Hangup","Parameters":{"SipResponseCode":"0"}}]}"""
                : """{"SchemaVersion":"1.0","Actions":[]}""";
            return ValueTask.FromResult<ReadOnlyMemory<byte>>(Encoding.UTF8.GetBytes(reply));
        });
        var counters = new EngineCounters();
        var engine = new CallEngine(new EngineOptions(), time, new FolderObjectStore(_root), network, [handlers]) { DefaultTrace = counters };
        var metrics = new ServeMetrics(engine, counters);
        var application = new SipMediaApplicationRef("sma-1", "111122223333", "us-east-1", DelegateHandlerResolver.EndpointFor("h"));

        // The rule's first target names a handler nobody serves: the call fails over to the second.
        var missing = new SipMediaApplicationRef("sma-0", "111122223333", "us-east-1", DelegateHandlerResolver.EndpointFor("nobody"));
        var transaction = engine.StartInboundCall([missing, application], network.CreateInbound("+15559870000", "+15551230000", VirtualParty.Answering()), "rule-1");
        var during = Samples(metrics.Render());
        var driver = new VirtualTimeDriver(engine.Activity, time.Advance) { IdleTimeout = TimeSpan.FromSeconds(20) };
        Assert.True(await driver.RunUntilAsync(() => transaction.Completion.IsCompleted, TimeSpan.FromMinutes(2)));
        var after = Samples(metrics.Render());

        Assert.Equal(1, during["opensma_call_transactions"]);
        Assert.Equal(0, after["opensma_call_transactions"]);
        Assert.Equal(1, after["opensma_call_transactions_ended_total"]);
        Assert.Equal(1, after["opensma_handler_failovers_total"]);
        Assert.Equal(1, after["opensma_handler_invocations_total{outcome=\"function_error\"}"]);
        // NEW_INBOUND_CALL went to each target; the one to the missing handler was never attempted,
        // every other event was answered in the end: one ok attempt each.
        Assert.Equal(2, after["opensma_handler_events_total{type=\"NEW_INBOUND_CALL\"}"]);
        Assert.Equal(after.Where(s => s.Key.StartsWith("opensma_handler_events_total", StringComparison.Ordinal)).Sum(s => s.Value) - 1, after["opensma_handler_invocations_total{outcome=\"ok\"}"]);
        Assert.Equal(1, after["opensma_actions_total{outcome=\"succeeded\"}"]);
        Assert.Equal(after["opensma_handler_invocations_total{outcome=\"ok\"}"] + 1, after["opensma_handler_invocation_duration_seconds_count"]);
        Assert.True(after["process_resident_memory_bytes"] > 0);
        Assert.DoesNotContain("opensma_sip_dialogs", after.Keys);
    }

    [Fact]
    public async Task Render_WithSip_TelephonyAndSipGaugesFollowWhatIsHeld()
    {
        var store = await ResourceStoreFactory.OpenAsync(ResourceStoreOptions.ForSqlite(_root), TimeProvider.System, CancellationToken.None);
        await using var sip = new SipEndpoint(new SipEndpointOptions { UdpEndPoints = [new IPEndPoint(IPAddress.Loopback, 0)], TcpEndPoints = [] });
        await sip.StartAsync();
        using var telephony = new SipTelephony(sip, store, new TelephonyOptions { RtpPortMin = 37100, RtpPortMax = 37119, RtpBindAddress = "127.0.0.1" }, TimeProvider.System);
        var counters = new EngineCounters();
        var engine = new CallEngine(new EngineOptions(), TimeProvider.System, new FolderObjectStore(_root), telephony.LegFactory, []) { DefaultTrace = counters };
        var metrics = new ServeMetrics(engine, counters, telephony, sip);

        var lease = telephony.Media.Ports.TryAllocate(IPAddress.Loopback);
        Assert.NotNull(lease);
        var held = Samples(metrics.Render());
        lease.Dispose();
        var released = Samples(metrics.Render());
        (store as IDisposable)?.Dispose();

        Assert.Equal(10, held["opensma_rtp_port_pairs_capacity"]);
        Assert.Equal(1, held["opensma_rtp_port_pairs_leased"]);
        Assert.Equal(0, released["opensma_rtp_port_pairs_leased"]);
        foreach (var gauge in new[] { "opensma_sip_legs", "opensma_sip_bridges", "opensma_sip_dialogs", "opensma_sip_registrar_bindings", "opensma_sip_transactions{role=\"client\"}", "opensma_sip_transactions{role=\"server\"}", "opensma_media_clock_streams" })
        {
            Assert.Equal(0, released[gauge]);
        }

        Assert.Contains("opensma_rtp_send_lateness_seconds{quantile=\"0.99\"}", released.Keys);
        if (MediaSocketEngine.IsSupported)
        {
            Assert.InRange(released["opensma_media_kernel_timestamped_datagrams_total"], 0, released["opensma_media_datagrams_received_total"]);
        }
    }

    /// <summary>Sample lines of an exposition as name{labels} to value; every family must have HELP and TYPE first.</summary>
    internal static Dictionary<string, double> Samples(string exposition)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        var typed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in exposition.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                typed.Add(line.Split(' ')[2]);
                continue;
            }

            if (line.StartsWith('#'))
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            var key = line[..space];
            var name = key.Split('{')[0];
            Assert.True(typed.Contains(name) || typed.Any(t => name == t + "_sum" || name == t + "_count"), $"sample {name} has no TYPE line");
            samples.Add(key, double.Parse(line[(space + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }

        return samples;
    }
}
