using System.Globalization;

namespace OpenSma.HeapStats;

/// <summary>The text tables heapstats prints.</summary>
internal static class Report
{
    public static void PrintSnapshot(TextWriter output, IReadOnlyList<TypeRow> rows, int top)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"count",12} {"bytes",14} {"gen0",12} {"gen1",12} {"gen2",14} {"loh",12} {"poh",12}  type"));
        foreach (var row in rows.Take(top))
        {
            var g = row.GenBytes;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{row.Count,12:N0} {row.Bytes,14:N0} {g[0],12:N0} {g[1],12:N0} {g[2],14:N0} {g[3],12:N0} {g[4],12:N0}  {row.Type}"));
        }

        if (rows.Count > top)
        {
            var rest = rows.Skip(top).ToList();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rest.Sum(r => r.Count),12:N0} {rest.Sum(r => r.Bytes),14:N0}  ({rest.Count} more types)"));
        }
    }

    public static void PrintDiff(TextWriter output, IReadOnlyList<DiffRow> rows, int top, int calls)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# after minus before{(calls > 0 ? $", per call over {calls} calls" : string.Empty)}; total {rows.Sum(r => r.Bytes):N0} bytes in {rows.Sum(r => r.Count):N0} objects{(calls > 0 ? $" = {rows.Sum(r => r.Bytes) / (double)calls:N0} bytes per call" : string.Empty)}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"count",10} {"bytes",13} {"gen0",11} {"gen1",11} {"gen2",12} {"loh",11} {"poh",11} {(calls > 0 ? "obj/call" : ""),9} {(calls > 0 ? "B/call" : ""),9}  type"));
        foreach (var row in rows.Take(top))
        {
            var g = row.GenBytes;
            var perCall = calls > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{row.Count / (double)calls,9:F2} {row.Bytes / (double)calls,9:N0}")
                : new string(' ', 19);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{row.Count,10:N0} {row.Bytes,13:N0} {g[0],11:N0} {g[1],11:N0} {g[2],12:N0} {g[3],11:N0} {g[4],11:N0} {perCall}  {row.Type}"));
        }

        if (rows.Count > top)
        {
            var rest = rows.Skip(top).ToList();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rest.Sum(r => r.Count),10:N0} {rest.Sum(r => r.Bytes),13:N0}  ({rest.Count} more types)"));
        }
    }

    public static void PrintOwners(TextWriter output, string type, IReadOnlyDictionary<string, (long Count, long Bytes)> owners, int top)
    {
        output.WriteLine();
        output.WriteLine($"# who first reaches each '{type}' (the referrer on one path from a root; a root kind in brackets)");
        foreach (var (owner, (count, bytes)) in owners.OrderByDescending(o => o.Value.Bytes).Take(top))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count,12:N0} {bytes,14:N0}  {owner}"));
        }
    }
}
