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
