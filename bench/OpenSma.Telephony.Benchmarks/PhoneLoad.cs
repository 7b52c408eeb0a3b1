using System.Net;
using OpenSma.Engine.Virtual;
using OpenSma.Media.Clock;
using OpenSma.Media.Rtp;
using OpenSma.Sip;
using OpenSma.Sip.Messages;
using OpenSma.Telephony.Phone;

namespace OpenSma.Telephony.Benchmarks;

/// <summary>
/// Concurrent calls with media: OpenSMA's scripted SIP phones dial serve at a given rate, each
/// hears the SMA's prompt for the hold time and hangs up; the RTP statistics of what each phone
/// received (RFC 3550 interarrival jitter, loss) describe the media serve sent.
/// </summary>
internal static class PhoneLoad
{
    public sealed record Result(int Answered, int Failed, int PeakLive, double JitterP50, double JitterP99, long Lost, long Received, double Cpu, double RssPerCallKb, double MachineBusy, double BenchCores);

    private static bool Pending(List<Task<SipPhoneReport>> calls)
    {
        lock (calls)
        {
            return calls.Any(c => !c.IsCompleted);
        }
    }

    public static async Task<Result> RunAsync(ServeUnderTest serve, int count, int rate, TimeSpan hold)
    {
        await using var sip = new SipEndpoint(new SipEndpointOptions { UdpEndPoints = [new IPEndPoint(IPAddress.Loopback, 0)], TcpEndPoints = [] });
        await sip.StartAsync();
        using var clock = new MediaClock(TimeProvider.System);
        // Big receive buffers: when the phones fall seconds behind (they share the 2 cores with serve and
        // set up 300 calls/s), nothing is dropped, and kernel receive times keep the jitter true.
        var ports = new RtpPortAllocator(40000, 48999) { ReceiveBufferBytes = 1 << 20 };
        var phone = new SipPhone(sip, ports, clock, TimeProvider.System, new SipPhoneOptions { MaxRecording = TimeSpan.FromSeconds(1) });
        var target = SipUri.Sip(BenchHandler.MediaNumber, "127.0.0.1", serve.SipPort);
        var from = new SipNameAddress(SipUri.Sip("+15559870000", "127.0.0.1"));
        var script = VirtualParty.Answering(new HangupCue(hold));
        var (rss0, _) = serve.Memory();
        var cpu0 = serve.CpuTime();
        var machine0 = MachineCpu.Now();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var peak = 0;
        var rssAtPeak = rss0;
        var calls = new List<Task<SipPhoneReport>>();
        var dialing = true;
        // Sample the live-call count and memory while calls are up.
        var sampling = Task.Run(async () =>
        {
            while (Volatile.Read(ref dialing) || Pending(calls))
            {
                var now = ports.Capacity - ports.Available;
                if (now > peak)
                {
                    peak = now;
                    rssAtPeak = serve.Memory().Rss;
                }

                await Task.Delay(500);
            }
        });
        for (var i = 0; i < count; i++)
        {
            var call = Task.Run(() => phone.DialAsync(target, from, script));
            lock (calls)
            {
                calls.Add(call);
            }

            var due = TimeSpan.FromSeconds((i + 1) / (double)rate) - watch.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }
        }

        Volatile.Write(ref dialing, false);
        var reports = await Task.WhenAll(calls);
        await sampling;
        var elapsed = watch.Elapsed;
        var cpu = (serve.CpuTime() - cpu0).TotalSeconds / elapsed.TotalSeconds;
        var (machineBusy, benchCores) = MachineCpu.Since(machine0, elapsed);
        var answered = reports.Where(r => r.Answered).ToList();
        var jitters = answered.Select(r => r.Media?.JitterMilliseconds ?? 0).Order().ToList();
        double Percentile(double p) => jitters.Count == 0 ? 0 : jitters[Math.Min(jitters.Count - 1, (int)Math.Ceiling(p * jitters.Count) - 1)];
        return new Result(
            answered.Count,
            reports.Length - answered.Count,
            peak,
            Percentile(0.50),
            Percentile(0.99),
            answered.Sum(r => r.Media?.PacketsLost ?? 0),
            answered.Sum(r => r.Media?.PacketsReceived ?? 0),
            cpu,
            peak == 0 ? 0 : (rssAtPeak - rss0) * 1024 / peak,
            machineBusy,
            benchCores);
    }
}
