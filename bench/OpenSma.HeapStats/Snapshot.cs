using System.Globalization;
using System.Text;

namespace OpenSma.HeapStats;

/// <summary>A clear failure the tool reports in one line (bad file, process not found, no CLR).</summary>
internal sealed class HeapStatsException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The generations a heap object can sit in, in the order the tables print them.</summary>
internal enum Gen
{
    Gen0,
    Gen1,
    Gen2,
    Loh,
    Poh,
    Other,
}

/// <summary>Count and bytes of one type, in total and per generation.</summary>
internal sealed class TypeRow(string type)
{
    public string Type { get; } = type;

    public long Count { get; set; }

    public long Bytes { get; set; }

    public long[] GenBytes { get; } = new long[6];

    public void Add(long size, Gen gen)
    {
        Count++;
        Bytes += size;
        GenBytes[(int)gen] += size;
    }
}

/// <summary>After minus before for one type.</summary>
internal sealed record DiffRow(string Type, long Count, long Bytes, long[] GenBytes);

/// <summary>Snapshot files: one tab-separated line per type (type, count, bytes, gen0, gen1, gen2, loh, poh, other).</summary>
internal static class Snapshot
{
    private const string Header = "type\tcount\tbytes\tgen0\tgen1\tgen2\tloh\tpoh\tother";

    public static void Write(string path, IEnumerable<TypeRow> rows)
    {
        var text = new StringBuilder().AppendLine(Header);
        foreach (var row in rows)
        {
            // Type names never hold tabs or line breaks; keep the file one row per line even if one did.
            text.Append(row.Type.Replace('\t', ' ').Replace('\n', ' ')).Append('\t')
                .Append(row.Count.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(row.Bytes.ToString(CultureInfo.InvariantCulture));
            foreach (var g in row.GenBytes)
            {
                text.Append('\t').Append(g.ToString(CultureInfo.InvariantCulture));
            }

            text.AppendLine();
        }

        File.WriteAllText(path, text.ToString());
    }

    public static Dictionary<string, TypeRow> Read(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (IOException e)
        {
            throw new HeapStatsException($"cannot read snapshot '{path}': {e.Message}", e);
        }

        if (lines.Length == 0 || lines[0] != Header)
        {
            throw new HeapStatsException($"'{path}' is not a heapstats snapshot (first line should be '{Header.Replace("\t", "<tab>", StringComparison.Ordinal)}')");
        }

        var rows = new Dictionary<string, TypeRow>(StringComparer.Ordinal);
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            var f = lines[i].Split('\t');
            if (f.Length != 9)
            {
                throw new HeapStatsException($"{path}:{i + 1}: expected 9 tab-separated fields, found {f.Length}");
            }

            var row = new TypeRow(f[0]) { Count = Number(f[1], path, i), Bytes = Number(f[2], path, i) };
            for (var g = 0; g < 6; g++)
            {
                row.GenBytes[g] = Number(f[3 + g], path, i);
            }

            rows[row.Type] = row;
        }

        return rows;
    }

    public static List<DiffRow> Diff(Dictionary<string, TypeRow> before, Dictionary<string, TypeRow> after)
    {
        var diff = new List<DiffRow>();
        foreach (var type in before.Keys.Union(after.Keys, StringComparer.Ordinal))
        {
            before.TryGetValue(type, out var b);
            after.TryGetValue(type, out var a);
            var gens = new long[6];
            for (var g = 0; g < 6; g++)
            {
                gens[g] = (a?.GenBytes[g] ?? 0) - (b?.GenBytes[g] ?? 0);
            }

            var row = new DiffRow(type, (a?.Count ?? 0) - (b?.Count ?? 0), (a?.Bytes ?? 0) - (b?.Bytes ?? 0), gens);
            if (row.Count != 0 || row.Bytes != 0)
            {
                diff.Add(row);
            }
        }

        diff.Sort((x, y) => Math.Abs(y.Bytes).CompareTo(Math.Abs(x.Bytes)) is var c && c != 0 ? c : string.CompareOrdinal(x.Type, y.Type));
        return diff;
    }

    private static long Number(string text, string path, int line) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new HeapStatsException($"{path}:{line + 1}: '{text}' is not a whole number");
}
