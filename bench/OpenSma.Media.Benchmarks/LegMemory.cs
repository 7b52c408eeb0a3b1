using System.Globalization;
using System.Net;
using OpenSma.Media.Clock;
using OpenSma.Media.Codecs;
using OpenSma.Media.Rtp;

namespace OpenSma.Media.Benchmarks;

/// <summary>
/// What one live leg keeps on the managed heap in the media plane: N legs set up the way the
/// telephony layer does (an <see cref="RtpSession"/> on a transport, remote address, started,
/// subscribed to the media clock, a waiting digit reader and an inactivity continuation), each
/// having sent a few frames and received a few packets, with no digit ever pressed and no prompt
/// playing. Reports the bytes allocated per leg on this thread (set-up and traffic included) and
/// the bytes still reachable per leg after a full collection (the state a live call carries from
/// gen0 to gen2). The transport is an in-memory one that drops what is sent, so sockets and port
/// leases (not media-plane state) are left out. Options: --legs N (default 2000), --hold S (keep
/// the legs S seconds after measuring, for a heap census with bench/OpenSma.HeapStats).
/// </summary>
internal static class LegMemory
{
    public static async Task<int> RunAsync(string[] args)
    {
        var legs = Option(args, "--legs", 2000);
        var hold = Option(args, "--hold", 0);
        // The clock's timer never fires: this thread drives the ticks, so they do not race the set-up.
        using var clock = new MediaClock(new StoppedTime(), new MediaClockOptions { Slots = 10 });

        // One leg first, so first-use work (static tables, this thread's packet scratch, JIT) is not counted.
        var warm = SetUp(clock, 0);
        Traffic(warm.Session, 1);
        warm.Dispose();

        Breakdown(clock);
        var kept = new List<Leg>(legs);
        var retainedBefore = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < legs; i++)
        {
            var leg = SetUp(clock, i);
            Traffic(leg.Session, i);
            kept.Add(leg);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        await Task.Delay(200); // let queued continuations settle
        var retained = GC.GetTotalMemory(forceFullCollection: true) - retainedBefore;
        Console.WriteLine($"legs: {legs}");
        Console.WriteLine($"allocated per leg (set-up and traffic, this thread): {allocated / legs:N0} bytes");
        Console.WriteLine($"retained per leg after a full collection: {retained / legs:N0} bytes");
        if (hold > 0)
        {
            // Time for a heap census of this process (bench/OpenSma.HeapStats).
            Console.WriteLine($"holding the legs for {hold} s (pid {Environment.ProcessId})");
            await Task.Delay(TimeSpan.FromSeconds(hold));
        }
        foreach (var leg in kept)
        {
            leg.Dispose();
        }

        GC.KeepAlive(kept);
        return 0;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static Leg SetUp(MediaClock clock, int index)
    {
        var session = new RtpSession(new DropTransport(), new RtpSessionOptions(AudioCodec.Pcmu, 0, 101), TimeProvider.System);
        session.SetRemote(new IPEndPoint(IPAddress.Loopback, 30000 + (2 * (index % 10000))));
        session.Start();
        var tick = clock.Subscribe(session);
        var watcher = WatchDigitsAsync(session);
        session.PeerInactive.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(static () => { });
        return new Leg(session, tick, watcher);
    }

    // Bytes allocated by each step of one leg's set-up, in the order SetUp and Traffic do them.
    private static void Breakdown(MediaClock clock)
    {
        var steps = new List<(string Step, long Bytes)>();
        var mark = GC.GetAllocatedBytesForCurrentThread();
        void Step(string name)
        {
            var now = GC.GetAllocatedBytesForCurrentThread();
            steps.Add((name, now - mark));
            mark = GC.GetAllocatedBytesForCurrentThread();
        }

        var transport = new DropTransport();
        mark = GC.GetAllocatedBytesForCurrentThread();
        var session = new RtpSession(transport, new RtpSessionOptions(AudioCodec.Pcmu, 0, 101), TimeProvider.System);
        Step("new RtpSession (with options)");
        session.SetRemote(new IPEndPoint(IPAddress.Loopback, 30000));
        Step("SetRemote");
        session.Start();
        Step("Start");
        var tick = clock.Subscribe(session);
        Step("MediaClock.Subscribe");
        var watcher = WatchDigitsAsync(session);
        Step("digit reader waiting");
        session.PeerInactive.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(static () => { });
        Step("inactivity continuation");
        Traffic(session, 0);
        Step("5 packets in, 5 ticks out");
        Console.WriteLine("allocated by one leg's set-up, step by step:");
        foreach (var (name, bytes) in steps)
        {
            Console.WriteLine($"  {name,-40} {bytes,8:N0} bytes");
        }

        Console.WriteLine("parts of a leg (and of a bridge), each on its own:");
        Part("AudioPlayer", static () => new OpenSma.Media.Playback.AudioPlayer());
        Part("TelephoneEventSender", static () => new OpenSma.Media.Dtmf.TelephoneEventSender());
        Part("DigitStream", static () => new OpenSma.Media.Dtmf.DigitStream(TimeProvider.System));
        Part("InBandDtmfDetector", static () => new OpenSma.Media.Dtmf.InBandDtmfDetector());
        Part("TelephoneEventReceiver", static () => new OpenSma.Media.Dtmf.TelephoneEventReceiver());
        Part("RtpReceiveStatistics", static () => new RtpReceiveStatistics());
        Part("SymmetricLatch", static () => new SymmetricLatch(TimeProvider.System));
        Part("RtpSendStream", static () => RtpSendStream.CreateRandom());
        Part("FrameBuffer (one per bridged direction)", static () => new OpenSma.Media.Mixing.FrameBuffer());
        Part("Lock", static () => new[] { new Lock() });
        Part("TaskCompletionSource", static () => new TaskCompletionSource());

        tick.Dispose();
        session.Dispose();
        GC.KeepAlive(watcher);
    }

    private static void Part(string name, Func<object> create)
    {
        GC.KeepAlive(create());
        var before = GC.GetAllocatedBytesForCurrentThread();
        var part = create();
        var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(part);
        Console.WriteLine($"  {name,-40} {bytes,8:N0} bytes");
    }

    // The telephony layer reads every leg's digits for the call's life.
    private static async Task WatchDigitsAsync(RtpSession session)
    {
        await foreach (var digit in session.Digits.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            GC.KeepAlive(digit);
        }
    }

    private static void Traffic(RtpSession session, int index)
    {
        var source = new IPEndPoint(IPAddress.Loopback, 30000 + (2 * (index % 10000))).Serialize();
        var packet = new byte[RtpPacket.HeaderBytes + 160];
        for (var i = 0; i < 5; i++)
        {
            RtpPacket.WriteHeader(packet, new RtpHeader(0, (ushort)i, (uint)(i * 160), 0x1234));
            session.OnDatagram(packet, source, rtcp: false);
            session.OnTick(i + 1);
        }
    }

    private sealed record Leg(RtpSession Session, IDisposable Tick, Task Watcher) : IDisposable
    {
        public void Dispose()
        {
            Tick.Dispose();
            Session.Dispose();
        }
    }

    private sealed class StoppedTime : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new NeverTimer();

        private sealed class NeverTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    private sealed class DropTransport : IMediaTransport
    {
        public int LocalRtpPort => 40000;

        public void Start(IMediaTransportReceiver receiver)
        {
        }

        public bool Send(ReadOnlySpan<byte> datagram, SocketAddress destination, bool rtcp) => true;

        public void Dispose()
        {
        }
    }
}
