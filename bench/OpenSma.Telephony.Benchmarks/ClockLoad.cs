using System.Globalization;
using System.Net;
using OpenSma.Media.Audio;
using OpenSma.Media.Clock;
using OpenSma.Media.Codecs;
using OpenSma.Media.Rtp;
using OpenSma.Telephony.Legs;

namespace OpenSma.Telephony.Benchmarks;

/// <summary>
/// Media timing without SIP: N RTP sessions in pairs on loopback, all on one media clock and
/// playing a tone to each other, as serve's legs do. Reports, from the same run, (1) when the
/// packets really left against the clock's 20 ms grid (<see cref="MediaSendTiming"/>: lateness and
/// the RFC 3550 estimator over send times) and (2) the RFC 3550 jitter the receiving sessions
/// computed from their arrival times. (1) is what the node puts on the wire; (2) is what arrived,
/// timed by the kernel's receive timestamps (SO_TIMESTAMPNS), so the receiving process's own
/// scheduling is not in it.
/// </summary>
internal static class ClockLoad
{
    public static async Task<int> RunAsync(int streams, int seconds, int slots, int clockCount)
    {
        streams += streams & 1;
        var time = TimeProvider.System;
        var ports = new RtpPortAllocator(50000, 50000 + (streams * 2) + 400);
        var timing = new MediaSendTiming();
        var clocks = Enumerable.Range(0, clockCount).Select(_ => new MediaClock(time, new MediaClockOptions { Slots = slots })).ToList();
        var tone = ToneGenerator.Beep(TimeSpan.FromSeconds(seconds + 10), 500);
        var sessions = new List<RtpSession>(streams);
        for (var i = 0; i < streams; i++)
        {
            var lease = ports.TryAllocate(IPAddress.Loopback) ?? throw new InvalidOperationException("no RTP port pair left in 50000+");
            sessions.Add(new RtpSession(new UdpMediaTransport(lease), new RtpSessionOptions(AudioCodec.Pcmu, 0, null), time));
        }

        for (var i = 0; i < streams; i++)
        {
            sessions[i].SetRemote(new IPEndPoint(IPAddress.Loopback, sessions[i ^ 1].LocalRtpPort));
            sessions[i].Start();
            _ = sessions[i].Player.Play(tone);
        }

        // Streams are shared among the clocks round-robin, as MediaPlane does with TelephonyOptions.MediaClocks.
        var listeners = sessions.Select((s, i) => (Clock: clocks[i % clockCount], Listener: new TimedClockListener(s, timing, time, clocks[i % clockCount].StartTimestamp))).ToList();
        var cpu0 = Environment.CpuUsage.TotalTime;
        var subscriptions = listeners.Select(l => l.Clock.Subscribe(l.Listener)).ToList();
        // Lateness counts from each stream's slot in the tick, as serve's legs do.
        listeners.ForEach(l => l.Listener.Offset = l.Clock.GetOffset(l.Listener) ?? TimeSpan.Zero);
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        subscriptions.ForEach(s => s.Dispose());
        var cpu = Environment.CpuUsage.TotalTime - cpu0;
        listeners.ForEach(l => l.Listener.Complete());
        clocks.ForEach(c => c.Dispose());
        var stats = sessions.Select(s => s.GetStatistics()).ToList();
        sessions.ForEach(s => s.Dispose());

        var send = timing.Snapshot();
        var receive = stats.Select(s => s.JitterMilliseconds).Order().ToList();
        double Percentile(double p) => receive[Math.Min(receive.Count - 1, (int)Math.Ceiling(p * receive.Count) - 1)];
        var sent = stats.Sum(s => s.PacketsSent);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"clock      {streams} streams x {seconds} s, {clockCount} clock(s) with {slots} slot(s) per tick: sent {sent} packets, received {stats.Sum(s => s.PacketsReceived)}, lost {stats.Sum(s => s.PacketsLost)}; CPU {cpu.TotalMilliseconds * 1000 / Math.Max(1, sent):F1} us per packet sent+received ({cpu.TotalSeconds / seconds:F2} cores)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  send     (in-process, vs the 20 ms grid) lateness p50 {send.LatenessP50Ms:F1} ms p99 {send.LatenessP99Ms:F1} ms max {send.LatenessMaxMs:F1} ms; RFC 3550 jitter of send times p50 {send.SendJitterP50Ms:F1} ms p99 {send.SendJitterP99Ms:F1} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  receive  (RFC 3550 at the receiving sessions, same process, from {(MediaSocketEngine.IsSupported ? "kernel receive timestamps" : "processing times")}) jitter p50 {Percentile(0.50):F2} ms p99 {Percentile(0.99):F2} ms"));
        return 0;
    }
}
