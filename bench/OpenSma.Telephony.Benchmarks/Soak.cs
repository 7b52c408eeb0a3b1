using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;
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
        // OPENSMA_SOAK_ALLOCATIONS=1: after each wave, the types the runtime's allocation sampling
        // (one event per ~100 KB allocated) saw most, as a share of the sampled bytes.
        using var sampler = Environment.GetEnvironmentVariable("OPENSMA_SOAK_ALLOCATIONS") == "1" ? new AllocationSampler() : null;
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
            sampler?.Reset();
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
            if (sampler is not null)
            {
                Console.WriteLine(sampler.Report(15));
            }
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

/// <summary>Counts the runtime's allocation-tick samples (about one per 100 KB allocated) by type.</summary>
internal sealed class AllocationSampler : EventListener
{
    private ConcurrentDictionary<string, long> _bytes = new();

    public void Reset() => _bytes = new();

    public string Report(int top)
    {
        var snapshot = _bytes.ToArray();
        var total = Math.Max(1, snapshot.Sum(p => p.Value));
        return string.Join(Environment.NewLine, snapshot.OrderByDescending(p => p.Value).Take(top)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"           alloc {p.Value * 100.0 / total,5:F1} %  {p.Key}")));
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.PayloadNames is null)
        {
            return;
        }

        var type = e.Payload![e.PayloadNames.IndexOf("TypeName")] as string ?? "?";
        var amount = e.PayloadNames.IndexOf("AllocationAmount64") is >= 0 and var i ? Convert.ToInt64(e.Payload[i], CultureInfo.InvariantCulture) : 100_000;
        _bytes.AddOrUpdate(type, amount, (_, v) => v + amount);
    }
}
