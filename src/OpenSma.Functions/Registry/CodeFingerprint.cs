using System.Security.Cryptography;
using System.Text;

namespace OpenSma.Functions.Registry;

/// <summary>
/// A cheap identity for a code folder: relative paths, sizes and write times. Dependency folders
/// (node_modules, __pycache__, .git) are skipped: they are large and are not edited in the loop.
/// </summary>
internal readonly record struct CodeFingerprint(string Hash, long Size)
{
    private static readonly HashSet<string> Skipped = new(StringComparer.Ordinal) { "node_modules", "__pycache__", ".git" };

    /// <summary>
    /// The per-invocation change check for hot reload: the same names, sizes and write times as
    /// <see cref="Compute"/>, but one stat per entry (types come from the directory listing) and a
    /// cheap order-independent sum of FNV-1a hashes instead of sorting and SHA-256, since it runs
    /// before every invocation of a watched function and only has to notice a change.
    /// </summary>
    public static string Quick(string root)
    {
        ulong sum = 0;
        long count = 0;
        var pending = new Stack<DirectoryInfo>();
        pending.Push(new DirectoryInfo(root));
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            try
            {
                foreach (var entry in dir.EnumerateFileSystemInfos())
                {
                    if (entry is DirectoryInfo sub)
                    {
                        if (!Skipped.Contains(sub.Name))
                            pending.Push(sub);
                        continue;
                    }
                    try
                    {
                        var file = (FileInfo)entry;
                        sum += Fnv(Fnv(Fnv(Offset, file.FullName), (ulong)file.Length), (ulong)file.LastWriteTimeUtc.Ticks);
                        count++;
                    }
                    catch (IOException)
                    {
                        // Deleted while scanning: the next check sees the final state.
                    }
                }
            }
            catch (IOException)
            {
            }
        }
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"q{count}:{sum:x16}");
    }

    private const ulong Offset = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    private static ulong Fnv(ulong hash, string text)
    {
        foreach (var c in text)
            hash = (hash ^ c) * Prime;
        return hash;
    }

    private static ulong Fnv(ulong hash, ulong value)
    {
        for (var i = 0; i < 8; i++, value >>= 8)
            hash = (hash ^ (value & 0xff)) * Prime;
        return hash;
    }

    public static CodeFingerprint Compute(string root)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        var pending = new Stack<string>();
        pending.Push(root);
        var line = new StringBuilder();
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            string[] entries;
            try
            {
                entries = Directory.GetFileSystemEntries(dir);
            }
            catch (IOException)
            {
                continue; // deleted while scanning: the next check sees the final state
            }
            Array.Sort(entries, StringComparer.Ordinal);
            foreach (var path in entries)
            {
                var name = Path.GetFileName(path);
                if (Directory.Exists(path))
                {
                    if (!Skipped.Contains(name))
                        pending.Push(path);
                    continue;
                }
                var info = new FileInfo(path);
                if (!info.Exists)
                    continue;
                size += info.Length;
                line.Clear().Append(Path.GetRelativePath(root, path)).Append('|').Append(info.Length).Append('|')
                    .Append(info.LastWriteTimeUtc.Ticks).Append('\n');
                hash.AppendData(Encoding.UTF8.GetBytes(line.ToString()));
            }
        }
        return new CodeFingerprint(Convert.ToBase64String(hash.GetHashAndReset()), size);
    }
}
