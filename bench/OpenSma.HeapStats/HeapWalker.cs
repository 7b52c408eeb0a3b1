using System.Diagnostics;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Runtime;

namespace OpenSma.HeapStats;

/// <summary>One walk of a process's managed heap.</summary>
internal sealed record HeapSnapshot(
    List<TypeRow> Rows,
    bool LiveOnly,
    TimeSpan Elapsed,
    Dictionary<string, Dictionary<string, (long Count, long Bytes)>> Owners);

/// <summary>
/// Walks the managed heap of a running .NET process with ClrMD: attached through ptrace (the
/// process is suspended for the walk) or from a heap dump the runtime writes. By default only
/// objects reachable from a root count (a mark from the GC's roots), so garbage not yet collected
/// does not show up as retained; each object is counted in the generation it sits in now.
/// </summary>
internal static class HeapWalker
{
    public static HeapSnapshot Take(int pid, bool liveOnly, bool viaDump, IReadOnlyList<string> ownersOf)
    {
        var watch = Stopwatch.StartNew();
        string? dumpPath = null;
        DataTarget target;
        try
        {
            if (viaDump)
            {
                dumpPath = Path.Combine(Path.GetTempPath(), $"heapstats-{pid}-{Environment.ProcessId}.dmp");
                new DiagnosticsClient(pid).WriteDump(DumpType.WithHeap, dumpPath);
                target = DataTarget.LoadDump(dumpPath);
            }
            else
            {
                target = DataTarget.AttachToProcess(pid, suspend: true);
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or ServerNotAvailableException or ClrDiagnosticsException or UnauthorizedAccessException)
        {
            throw new HeapStatsException($"cannot read process {pid}: {e.Message}", e);
        }

        try
        {
            using (target)
            {
                if (target.ClrVersions.Length == 0)
                {
                    throw new HeapStatsException($"process {pid} has no .NET runtime loaded");
                }

                using var runtime = CreateRuntime(target.ClrVersions[0]);
                var heap = runtime.Heap;
                if (!heap.CanWalkHeap)
                {
                    throw new HeapStatsException($"the heap of process {pid} cannot be walked right now (a GC in progress?); try again");
                }

                var rows = new Dictionary<string, TypeRow>(StringComparer.Ordinal);
                var owners = ownersOf.ToDictionary(t => t, _ => new Dictionary<string, (long, long)>(StringComparer.Ordinal), StringComparer.Ordinal);
                void Count(ClrObject obj)
                {
                    var name = obj.Type?.Name ?? "<unknown type>";
                    if (!rows.TryGetValue(name, out var row))
                    {
                        rows[name] = row = new TypeRow(name);
                    }

                    row.Add((long)obj.Size, GenerationOf(heap, obj.Address));
                }

                if (liveOnly)
                {
                    Mark(heap, Count, owners);
                }
                else
                {
                    foreach (var obj in heap.EnumerateObjects())
                    {
                        if (obj.IsValid && !obj.IsFree)
                        {
                            Count(obj);
                        }
                    }
                }

                var sorted = rows.Values.OrderByDescending(r => r.Bytes).ThenBy(r => r.Type, StringComparer.Ordinal).ToList();
                return new HeapSnapshot(sorted, liveOnly, watch.Elapsed, owners);
            }
        }
        finally
        {
            if (dumpPath is not null)
            {
                File.Delete(dumpPath);
            }
        }
    }

    /// <summary>
    /// The runtime's own data-access library sits beside libcoreclr.so; ClrMD does not always match
    /// it by build id when attached live (and never downloads one on Linux), so name it.
    /// </summary>
    private static ClrRuntime CreateRuntime(ClrInfo clr)
    {
        var beside = Path.Combine(Path.GetDirectoryName(clr.ModuleInfo.FileName) ?? string.Empty, OperatingSystem.IsWindows() ? "mscordaccore.dll" : "libmscordaccore.so");
        return File.Exists(beside)
            ? clr.CreateRuntime(beside, ignoreMismatch: true)
            : throw new HeapStatsException($"no data-access library (DAC) for runtime {clr.Version} at {beside}");
    }

    private static Gen GenerationOf(ClrHeap heap, ulong address) =>
        heap.GetSegmentByAddress(address)?.GetGeneration(address) switch
        {
            Generation.Generation0 => Gen.Gen0,
            Generation.Generation1 => Gen.Gen1,
            Generation.Generation2 => Gen.Gen2,
            Generation.Large => Gen.Loh,
            Generation.Pinned => Gen.Poh,
            _ => Gen.Other,
        };

    /// <summary>
    /// Visits every object reachable from the GC's roots once (dependent handles included, as the
    /// GC keeps their secondaries alive); for the types named in <paramref name="owners"/>,
    /// tallies the type of the object (or the root kind) that first reached each one.
    /// </summary>
    private static void Mark(ClrHeap heap, Action<ClrObject> visit, Dictionary<string, Dictionary<string, (long Count, long Bytes)>> owners)
    {
        var seen = new HashSet<ulong>();
        var pending = new Stack<ClrObject>();
        void Reach(ClrObject obj, string from)
        {
            if (obj.Address == 0 || !obj.IsValid || !seen.Add(obj.Address))
            {
                return;
            }

            if (owners.Count > 0 && obj.Type?.Name is { } name && owners.TryGetValue(name, out var byOwner))
            {
                byOwner.TryGetValue(from, out var tally);
                byOwner[from] = (tally.Count + 1, tally.Bytes + (long)obj.Size);
            }

            pending.Push(obj);
        }

        foreach (var root in heap.EnumerateRoots())
        {
            Reach(root.Object, $"[{root.RootKind}]");
        }

        while (pending.Count > 0)
        {
            var obj = pending.Pop();
            visit(obj);
            if (!obj.ContainsPointers && obj.Type?.IsCollectible != true)
            {
                continue;
            }

            var from = obj.Type?.Name ?? "<unknown type>";
            foreach (var child in obj.EnumerateReferences(carefully: false, considerDependantHandles: true))
            {
                Reach(child, from);
            }
        }
    }
}
