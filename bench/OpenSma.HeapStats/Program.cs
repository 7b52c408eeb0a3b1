using System.Globalization;
using OpenSma.HeapStats;

// heapstats snapshot <pid> [--out FILE] [--top N] [--all] [--dump] [--owners TYPE]...
// heapstats diff <before.tsv> <after.tsv> [--calls N] [--top N]
// See README.md.
var usage = """
    usage: heapstats snapshot <pid> [--out FILE.tsv] [--top N] [--all] [--dump] [--owners TYPE]...
           heapstats diff <before.tsv> <after.tsv> [--calls N] [--top N]
    """;
if (args.Length < 2 || args[0] is not ("snapshot" or "diff"))
{
    Console.Error.WriteLine(usage);
    return 2;
}

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

List<string> Options(string name)
{
    var found = new List<string>();
    for (var i = 0; i + 1 < args.Length; i++)
    {
        if (args[i] == name)
        {
            found.Add(args[i + 1]);
        }
    }

    return found;
}

int top;
if (!int.TryParse(Option("--top") ?? "40", NumberStyles.None, CultureInfo.InvariantCulture, out top) || top <= 0)
{
    Console.Error.WriteLine($"heapstats: --top wants a positive whole number, got '{Option("--top")}'");
    return 2;
}

try
{
    if (args[0] == "snapshot")
    {
        if (!int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            Console.Error.WriteLine($"heapstats: snapshot wants a process id, got '{args[1]}'");
            return 2;
        }

        var snapshot = HeapWalker.Take(pid, liveOnly: !args.Contains("--all"), viaDump: args.Contains("--dump"), Options("--owners"));
        Console.WriteLine($"# pid {pid}: {(snapshot.LiveOnly ? "reachable" : "all")} objects, {snapshot.Rows.Sum(r => r.Count):N0} objects, {snapshot.Rows.Sum(r => r.Bytes):N0} bytes, walked in {snapshot.Elapsed.TotalSeconds:F1} s");
        Report.PrintSnapshot(Console.Out, snapshot.Rows, top);
        foreach (var (type, owners) in snapshot.Owners)
        {
            Report.PrintOwners(Console.Out, type, owners, top);
        }

        if (Option("--out") is { } file)
        {
            Snapshot.Write(file, snapshot.Rows);
            Console.WriteLine($"# written to {file}");
        }

        return 0;
    }

    if (args.Length < 3)
    {
        Console.Error.WriteLine(usage);
        return 2;
    }

    var calls = 0;
    if (Option("--calls") is { } c && (!int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out calls) || calls <= 0))
    {
        Console.Error.WriteLine($"heapstats: --calls wants a positive whole number, got '{c}'");
        return 2;
    }

    var before = Snapshot.Read(args[1]);
    var after = Snapshot.Read(args[2]);
    Report.PrintDiff(Console.Out, Snapshot.Diff(before, after), top, calls);
    return 0;
}
catch (HeapStatsException e)
{
    Console.Error.WriteLine($"heapstats: {e.Message}");
    return 1;
}
