using System.Globalization;
using Microsoft.Diagnostics.Tracing;

// Reads an EventPipe trace of a .NET process (GC keyword) and splits every pause of the managed
// threads into suspension (from the request to stop the threads until all have stopped) and the
// rest (the collection itself and the restart). A long suspension points at threads that do not
// reach a safe point (scheduling); a long rest at the work of the collection (what survives).
if (args.Length is < 1 or > 3 || !File.Exists(args[0]))
{
    Console.Error.WriteLine("usage: OpenSma.GcPauses <trace.nettrace> [--min-ms N]");
    Console.Error.WriteLine("record with: DOTNET_EnableEventPipe=1 DOTNET_EventPipeConfig='Microsoft-Windows-DotNETRuntime:0x1:4' DOTNET_EventPipeOutputPath='trace-{pid}.nettrace' <command>");
    return 2;
}

var listAbove = args.Length == 3 && args[1] == "--min-ms" ? double.Parse(args[2], CultureInfo.InvariantCulture) : 2.0;
var pauses = new List<Pause>();
double? suspendStart = null, suspendStop = null;
var generation = -1;
var reason = string.Empty;
var marked = new double[16];
(double Promoted0, double Promoted1, long Pinned, long Handles) heap = default;
using (var source = new EventPipeEventSource(args[0]))
{
    source.Clr.GCSuspendEEStart += e => (suspendStart, suspendStop) = (e.TimeStampRelativeMSec, null);
    source.Clr.GCSuspendEEStop += e => suspendStop = e.TimeStampRelativeMSec;
    source.Clr.GCStart += e => (generation, reason) = (e.Depth, $"{e.Reason}/{e.Type}");
    source.Clr.GCMarkWithType += e =>
    {
        if (e.Type is >= 0 and < 16)
        {
            marked[e.Type] += e.Promoted;
        }
    };
    source.Clr.GCHeapStats += e => heap = (e.TotalPromotedSize0, e.TotalPromotedSize1, e.PinnedObjectCount, e.GCHandleCount);
    source.Clr.GCRestartEEStop += e =>
    {
        if (suspendStart is { } start && suspendStop is { } stopped)
        {
            pauses.Add(new Pause(start, generation, stopped - start, e.TimeStampRelativeMSec - stopped, reason, (double[])marked.Clone(), heap.Promoted0, heap.Promoted1, heap.Pinned, heap.Handles));
        }

        (suspendStart, suspendStop, generation, reason) = (null, null, -1, string.Empty);
        Array.Clear(marked);
        heap = default;
    };
    source.Process();
}

if (pauses.Count == 0)
{
    Console.WriteLine("no GC pauses in the trace (was the GC keyword 0x1 enabled?)");
    return 1;
}

foreach (var p in pauses.Where(p => p.Total >= listAbove))
{
    Console.WriteLine(FormattableString.Invariant($"{p.At,10:F0} ms  gen{p.Generation}  suspend {p.Suspension,7:F2} ms  rest {p.Rest,7:F2} ms  total {p.Total,7:F2} ms  {p.Reason}"));
    Console.WriteLine(FormattableString.Invariant($"            promoted gen0 {p.Promoted0 / 1e6:F2} MB, gen1 {p.Promoted1 / 1e6:F2} MB; pinned objects {p.Pinned}, handles {p.Handles}; marked {Marks(p.Marked)}"));
}

var totals = pauses.Select(p => p.Total).Order().ToArray();
Console.WriteLine(FormattableString.Invariant(
    $"{pauses.Count} pauses, {totals.Sum():F0} ms in total ({pauses.Sum(p => p.Suspension):F0} ms suspending); p50 {Quantile(0.5):F2} ms, p99 {Quantile(0.99):F2} ms, max {totals[^1]:F2} ms"));
foreach (var group in pauses.Where(p => p.Generation >= 0).GroupBy(p => p.Generation).OrderBy(g => g.Key))
{
    Console.WriteLine(FormattableString.Invariant($"  gen{group.Key}: {group.Count()} pauses, {group.Sum(p => p.Total):F0} ms, longest {group.Max(p => p.Total):F2} ms"));
}

return 0;

// Root kinds of the runtime's GCMarkWithType event (bytes marked from each kind of root).
static string Marks(double[] bytes) => string.Join(", ", bytes
    .Select((b, kind) => (b, kind))
    .Where(x => x.b > 0)
    .Select(x => FormattableString.Invariant($"{RootKind(x.kind)} {x.b / 1e6:F2} MB")));

static string RootKind(int kind) => kind switch
{
    0 => "stacks",
    1 => "finalize queue",
    2 => "handles",
    3 => "older generation (cards)",
    4 => "sized refs",
    5 => "overflow",
    6 => "dependent handles",
    7 => "new finalize queue",
    _ => $"kind {kind}",
};

double Quantile(double q) => totals[Math.Min(totals.Length - 1, (int)Math.Ceiling(q * totals.Length) - 1)];

internal readonly record struct Pause(double At, int Generation, double Suspension, double Rest, string Reason, double[] Marked, double Promoted0, double Promoted1, long Pinned, long Handles)
{
    public double Total => Suspension + Rest;
}
