using System.Diagnostics;
using System.Globalization;
using OpenSma.Sip;

namespace OpenSma.Telephony.Benchmarks;

/// <summary>
/// Waves of sipp calls (the digit flow: RTP, one RFC 4733 digit, prompt, hang-up by the SMA) into
/// an <see cref="InProcessNode"/>. After every wave it waits until the node is quiet, forces full
/// blocking collections and prints the managed heap, RSS, open descriptors and every count of live
/// things (legs, bridges, port leases, clock streams, engine transactions, SIP transactions and
/// dialogs). Growth of the heap from wave to wave, or any count that does not return to zero, is a leak.
/// </summary>
internal static class Soak
{
    private static readonly TimeSpan QuietTimeout = TimeSpan.FromSeconds(60);

    public sealed record Wave(int Number, int Ok, int Failed, double Seconds, double CpuMsPerCall, double AllocatedKbPerCall, Quiet After);

    public sealed record Quiet(double HeapMb, double GcHeapMb, double GcCommittedMb, double RssMb, int Fds, SipTelephonySnapshot Telephony, int EngineTransactions, SipEndpointStatistics Sip, double SettleSeconds);

    public static async Task<int> RunAsync(int calls, int waveSize, int rate)
    {
        using var handler = new BenchHandler();
        await using var node = await InProcessNode.StartAsync(handler.Url, BenchHandler.DigitsNumber, BenchHandler.MediaNumber);
        var baseline = await SettleAsync(node);
        Console.WriteLine($"soak: {calls} calls in waves of {waveSize} at {rate}/s into an in-process node (SIP {node.SipPort}); sipp digit flow");
        Console.WriteLine($"start      {Describe(baseline)}");
        var waves = new List<Wave>();
        var done = 0;
        while (done < calls)
        {
            var size = Math.Min(waveSize, calls - done);
            var cpu0 = Environment.CpuUsage.TotalTime;
            var allocated0 = GC.GetTotalAllocatedBytes(precise: false);
            var result = await SippLoad.IntoServeAsync(node.SipPort, BenchHandler.DigitsNumber, rate, size);
            var cpu = Environment.CpuUsage.TotalTime - cpu0;
            var allocated = GC.GetTotalAllocatedBytes(precise: false) - allocated0;
            var quiet = await SettleAsync(node);
            done += size;
            var wave = new Wave(waves.Count + 1, result.Ok, result.Failed, result.Elapsed.TotalSeconds, cpu.TotalMilliseconds / size, allocated / 1024.0 / size, quiet);
            waves.Add(wave);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wave {wave.Number,3}  {size} calls ({wave.Ok} ok, {wave.Failed} failed) in {wave.Seconds:F1} s; node CPU {wave.CpuMsPerCall:F2} ms/call, {wave.AllocatedKbPerCall:F0} KB allocated/call (handler included); after: {Describe(quiet)}"));
        }

        var first = waves[0].After;
        var last = waves[^1].After;
        var later = done - waves[0].Ok - waves[0].Failed;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"total      {waves.Sum(w => w.Ok)} ok, {waves.Sum(w => w.Failed)} failed; heap after wave 1 {first.HeapMb:F2} MB -> after wave {waves.Count} {last.HeapMb:F2} MB ({(later == 0 ? 0 : (last.HeapMb - first.HeapMb) * 1024 * 1024 / later):F1} bytes per later call); RSS {first.RssMb:F0} -> {last.RssMb:F0} MB; fds {first.Fds} -> {last.Fds}"));
        var leaked = last.Telephony.LiveLegs + last.Telephony.Bridges + last.Telephony.RtpPortPairsInUse + last.Telephony.ClockStreams + last.EngineTransactions + last.Sip.Dialogs;
        return leaked == 0 ? 0 : 1;
    }

    private static string Describe(Quiet q) => string.Create(CultureInfo.InvariantCulture,
        $"heap {q.HeapMb:F2} MB (GC heap {q.GcHeapMb:F1} MB, committed {q.GcCommittedMb:F1} MB), RSS {q.RssMb:F0} MB, fds {q.Fds}; legs {q.Telephony.LiveLegs}, bridges {q.Telephony.Bridges}, port pairs {q.Telephony.RtpPortPairsInUse}, clock streams {q.Telephony.ClockStreams}, engine transactions {q.EngineTransactions}, SIP transactions {q.Sip.ClientTransactions}/{q.Sip.ServerTransactions}, dialogs {q.Sip.Dialogs} (quiet after {q.SettleSeconds:F0} s)");

    /// <summary>Waits until nothing is live (SIP transactions linger up to 32 s to absorb retransmissions), then collects fully.</summary>
    private static async Task<Quiet> SettleAsync(InProcessNode node)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < QuietTimeout)
        {
            var t = node.Telephony.Snapshot();
            var s = node.Sip.Statistics;
            if (t.LiveLegs + t.Bridges + t.RtpPortPairsInUse + t.ClockStreams + node.Engine.ActiveTransactions + s.Dialogs + s.ClientTransactions + s.ServerTransactions == 0)
            {
                break;
            }

            await Task.Delay(500);
        }

        var settled = watch.Elapsed.TotalSeconds;
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        var heap = GC.GetTotalMemory(forceFullCollection: true);
        var info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        using var self = Process.GetCurrentProcess();
        return new Quiet(
            heap / 1048576.0,
            info.HeapSizeBytes / 1048576.0,
            info.TotalCommittedBytes / 1048576.0,
            self.WorkingSet64 / 1048576.0,
            Directory.GetFiles("/proc/self/fd").Length,
            node.Telephony.Snapshot(),
            node.Engine.ActiveTransactions,
            node.Sip.Statistics,
            settled);
    }
}
