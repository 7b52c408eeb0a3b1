using System.Net;
using OpenSma.Engine;
using OpenSma.Engine.Invocation;
using OpenSma.Media.Audio;
using OpenSma.Sip;
using OpenSma.Storage.Objects;
using OpenSma.Storage.Resources;
using OpenSma.Telephony.Legs;

namespace OpenSma.Telephony.Tests.Support;

/// <summary>
/// OpenSMA's telephony on loopback: a SIP endpoint on a free UDP port, the SIP telephony layer, an
/// engine with an in-process handler, a SQLite store and a bucket folder in a temporary directory.
/// RTP ports come from 33000-33999 (this test project's range), 50 per rig and phone.
/// </summary>
internal sealed class Rig : IAsyncDisposable
{
    public const string Number = "+15551230000";
    public const string Bucket = "prompts";

    /// <summary>Real-time patience for anything that crosses sockets on a loaded machine.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static int s_nextRange;
    private readonly string _root;

    private Rig(string root, IResourceStore store, FolderObjectStore objects, SipEndpoint sip, SipTelephony telephony, CallEngine engine, DelegateHandlerResolver handlers)
    {
        _root = root;
        Store = store;
        Objects = objects;
        Sip = sip;
        Telephony = telephony;
        Engine = engine;
        Handlers = handlers;
    }

    public IResourceStore Store { get; }

    /// <summary>The rig's data folder (the SQLite file, the buckets).</summary>
    public string Root => _root;

    public FolderObjectStore Objects { get; }

    public SipEndpoint Sip { get; }

    public SipTelephony Telephony { get; }

    public CallEngine Engine { get; }

    public DelegateHandlerResolver Handlers { get; }

    public ScriptedHandler Handler { get; } = new();

    public IPEndPoint SipAddress => Sip.Transports[0].LocalEndPoint;

    public List<SipCallLeg> Legs { get; } = [];

    /// <summary>Hands out 50-port RTP ranges inside 33000-33999 (the allocator skips ports still bound elsewhere).</summary>
    public static (int Min, int Max) NextPorts()
    {
        var slot = Interlocked.Increment(ref s_nextRange) % 20;
        var min = 33000 + (slot * 50);
        return (min, min + 49);
    }

    /// <param name="wrapStore">Wraps the SQLite store the router and the test use (to count its reads).</param>
    public static async Task<Rig> StartAsync(Func<TelephonyOptions, TelephonyOptions>? configure = null, TimeProvider? time = null, Func<IResourceStore, IResourceStore>? wrapStore = null)
    {
        time ??= TimeProvider.System;
        var root = Path.Combine(Path.GetTempPath(), "opensma-telephony-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var store = await ResourceStoreFactory.OpenAsync(ResourceStoreOptions.ForSqlite(root), time, CancellationToken.None);
        store = wrapStore?.Invoke(store) ?? store;
        var objects = new FolderObjectStore(Path.Combine(root, "buckets"));
        objects.CreateBucket(Bucket);
        var sip = new SipEndpoint(new SipEndpointOptions { UdpEndPoints = [new IPEndPoint(IPAddress.Loopback, 0)], TcpEndPoints = [] }, time);
        var (min, max) = NextPorts();
        var options = new TelephonyOptions { RtpPortMin = min, RtpPortMax = max, RtpBindAddress = "127.0.0.1", AdvertisedAddress = "127.0.0.1" };
        var telephony = new SipTelephony(sip, store, configure?.Invoke(options) ?? options, time);
        var handlers = new DelegateHandlerResolver();
        var engine = new CallEngine(new EngineOptions(), time, objects, telephony.LegFactory, [handlers]);
        var rig = new Rig(root, store, objects, sip, telephony, engine, handlers);
        handlers.Register("test", rig.Handler.HandleAsync);
        telephony.Attach(engine).CallStarted += (leg, _) => { lock (rig.Legs) { rig.Legs.Add(leg); } };
        telephony.LegFactory.LegCreated += leg => { lock (rig.Legs) { rig.Legs.Add(leg); } };
        await sip.StartAsync();
        return rig;
    }

    public async Task<SipMediaApplication> AddSmaAsync(string id = "sma-1", string handler = "test")
    {
        var now = DateTimeOffset.UtcNow;
        var sma = new SipMediaApplication(id, "111122223333", "us-east-1", "app-" + id, DelegateHandlerResolver.EndpointFor(handler), now, now);
        Assert.True((await Store.InsertAsync(sma, CancellationToken.None)).IsOk);
        return sma;
    }

    public async Task<SipRule> AddRuleAsync(string number, bool disabled = false, params string[] smaIds)
    {
        var now = DateTimeOffset.UtcNow;
        var targets = smaIds.Select((id, i) => new SipRuleTarget(id, i + 1, "us-east-1")).ToList();
        var rule = new SipRule("rule-" + Guid.NewGuid().ToString("N")[..8], "rule " + number, disabled, "ToPhoneNumber", number, targets, now, now);
        Assert.True((await Store.InsertAsync(rule, CancellationToken.None)).IsOk);
        return rule;
    }

    /// <summary>Writes a prompt: a tone of the given length at about -12 dBFS.</summary>
    public async Task<string> AddPromptAsync(string key, TimeSpan length, double frequency = 440)
    {
        var tone = ToneGenerator.Beep(length, frequency);
        var wav = WavWriter.WriteMono(tone.Samples.Span);
        await Objects.PutAsync(Bucket, key, wav, ObjectMetadata.Wav(), CancellationToken.None);
        return key;
    }

    public static string PlayAudio(string key, string? callId = null) =>
        "{\"Type\":\"PlayAudio\",\"Parameters\":{" + (callId is null ? "" : "\"CallId\":\"" + callId + "\",") + "\"AudioSource\":" + Source(key) + "}}";

    public static string Source(string key) => $$"""{"Type":"S3","BucketName":"{{Bucket}}","Key":"{{key}}"}""";

    public Task<TestPhone> NewPhoneAsync() => TestPhone.StartAsync();

    public SipCallLeg[] LegsSnapshot()
    {
        lock (Legs)
        {
            return [.. Legs];
        }
    }

    /// <summary>Waits until every leg created has released its ports, clock subscription and dialog.</summary>
    public async Task AssertAllReleasedAsync()
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline
            && !(LegsSnapshot().All(l => l.IsReleased && l.Dialog?.State is null or OpenSma.Sip.Dialogs.SipDialogState.Terminated)
                 && Telephony.Media.Ports.Available == Telephony.Media.Ports.Capacity
                 && Telephony.Media.ClockStreams == 0
                 && Engine.ActiveTransactions == 0
                 && Telephony.Snapshot().LiveLegs == 0))
        {
            await Task.Delay(20);
        }

        Assert.All(LegsSnapshot(), l => Assert.True(l.IsReleased, $"leg {l.CallId} ({l.Direction}) not released"));
        Assert.All(LegsSnapshot(), l => Assert.True(l.Dialog?.State is null or OpenSma.Sip.Dialogs.SipDialogState.Terminated, $"leg {l.CallId} dialog {l.Dialog?.State}"));
        Assert.Equal(Telephony.Media.Ports.Capacity, Telephony.Media.Ports.Available);
        Assert.Equal(0, Telephony.Media.ClockStreams);
        Assert.Equal(0, Engine.ActiveTransactions);
        var snapshot = Telephony.Snapshot();
        Assert.Equal((0, 0, 0, 0), (snapshot.LiveLegs, snapshot.Bridges, snapshot.RtpPortPairsInUse, snapshot.ClockStreams));
        // Every leg that sent recorded its stream's send jitter when it stopped (a leg ticked on hold may record without sending).
        Assert.InRange(snapshot.SendTiming.Streams, LegsSnapshot().Count(l => l.GetRtpStatistics()?.PacketsSent > 1), LegsSnapshot().Length);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var t in Engine.Transactions)
        {
            t.Abort("test over");
        }

        await Sip.StopAsync();
        Telephony.Dispose();
        (Store as IDisposable)?.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
