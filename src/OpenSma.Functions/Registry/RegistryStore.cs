using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenSma.Functions.Registry;

/// <summary>
/// The registry's durable state: one small JSON manifest per function (<c>NAME.json</c>) holding
/// $LATEST, the published versions, the aliases and the version counter. Each change writes the
/// whole manifest to a temporary file, flushes it to disk, and renames it over the old one (the
/// old one stays as <c>NAME.json.prev</c>, a hard link), then flushes the folder: a process killed
/// mid-write leaves the old manifest or the new one, never a mix.
/// </summary>
internal sealed class RegistryStore
{
    public const string ManifestExtension = ".json";
    public const string PreviousSuffix = ".prev";
    public const string TempMarker = ".tmp-";
    public const string CorruptMarker = ".corrupt-";
    public const int FormatVersion = 1;

    public RegistryStore(string directory)
    {
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, name + ManifestExtension);

    /// <summary>Writes a function's manifest atomically. Throws <see cref="IOException"/> when it cannot.</summary>
    public void Save(FunctionManifest manifest)
    {
        var target = PathOf(manifest.Name);
        var temp = target + TempMarker + Guid.NewGuid().ToString("N");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(stream, manifest, RegistryJsonContext.Default.FunctionManifest);
                stream.Flush(flushToDisk: true);
            }
            if (File.Exists(target))
                File.Replace(temp, target, target + PreviousSuffix, ignoreMetadataErrors: true);
            else
                File.Move(temp, target);
            FlushDirectory(Directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new IOException($"Could not save the state of function '{manifest.Name}' to '{target}': {e.Message}", e);
        }
    }

    /// <summary>Removes a function's manifest (DeleteFunction).</summary>
    public void Delete(string name)
    {
        var target = PathOf(name);
        try
        {
            File.Delete(target);
            File.Delete(target + PreviousSuffix);
            FlushDirectory(Directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Could not remove the saved state of function '{name}' ('{target}'): {e.Message}", e);
        }
    }

    /// <summary>
    /// Reads every manifest. A leftover temporary file (a write that was interrupted) is removed; a
    /// manifest that cannot be read is moved aside as <c>NAME.json.corrupt-TIME</c> and replaced by the
    /// previous one (<c>NAME.json.prev</c>) when that one reads. Every such event is reported.
    /// </summary>
    public IReadOnlyList<FunctionManifest> Load(DateTimeOffset now, List<string> problems)
    {
        var loaded = new List<FunctionManifest>();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory).Order(StringComparer.Ordinal))
        {
            var file = Path.GetFileName(path);
            if (file.Contains(TempMarker, StringComparison.Ordinal))
            {
                problems.Add($"Discarded '{path}': a write of the function state that did not finish; the state before it is kept.");
                TryDelete(path);
                continue;
            }
            if (!file.EndsWith(ManifestExtension, StringComparison.Ordinal))
                continue;
            var name = file[..^ManifestExtension.Length];
            if (TryRead(path, name, out var manifest, out var error))
            {
                loaded.Add(manifest);
                continue;
            }
            var aside = path + CorruptMarker + now.ToString("yyyyMMddTHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
            var previous = path + PreviousSuffix;
            try
            {
                File.Move(path, aside);
            }
            catch (IOException)
            {
                aside = path;
            }
            if (File.Exists(previous) && TryRead(previous, name, out var earlier, out _))
            {
                problems.Add($"Function state file '{path}' could not be read ({error}); it was moved to '{aside}' and the previous state of '{name}' ('{previous}') was loaded instead: its last change is lost.");
                try
                {
                    File.Copy(previous, path, overwrite: false);
                }
                catch (IOException)
                {
                    // Loaded anyway; the next change writes the manifest again.
                }
                loaded.Add(earlier);
            }
            else
            {
                problems.Add($"Function state file '{path}' could not be read ({error}); function '{name}' was not loaded. The file was moved to '{aside}'.");
            }
        }
        return loaded;
    }

    private static bool TryRead(string path, string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out FunctionManifest? manifest, out string error)
    {
        manifest = null;
        try
        {
            using var stream = File.OpenRead(path);
            var read = JsonSerializer.Deserialize(stream, RegistryJsonContext.Default.FunctionManifest);
            error = read is null ? "empty"
                : read.Format != FormatVersion ? $"unknown format {read.Format}"
                : read.Name != name ? $"it names function '{read.Name}'"
                : read.Latest?.Definition is null ? "no $LATEST"
                : read.Latest.Definition.Name != name ? $"its $LATEST is function '{read.Latest.Definition.Name}'"
                : "";
            if (error.Length > 0 || read is null)
                return false;
            manifest = read;
            return true;
        }
        catch (JsonException e)
        {
            error = "not valid JSON: " + e.Message;
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = e.Message;
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// Puts a code folder the registry wrote (an extracted package, a version's copy) on disk before
    /// the manifest that names it: every file, every folder, and the folder holding it.
    /// </summary>
    public static void FlushTree(string root)
    {
        if (OperatingSystem.IsWindows() || !System.IO.Directory.Exists(root))
            return;
        foreach (var file in System.IO.Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            FlushDirectory(file);
        foreach (var dir in System.IO.Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories))
            FlushDirectory(dir);
        FlushDirectory(root);
        if (Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(root)) is { } parent)
            FlushDirectory(parent);
    }

    /// <summary>Makes a file, or a rename or delete in a folder, durable (POSIX: fsync it).</summary>
    private static void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
            return;
        var fd = Native.open(directory, 0 /* O_RDONLY */);
        if (fd < 0)
            return;
        try
        {
            _ = Native.fsync(fd);
        }
        finally
        {
            _ = Native.close(fd);
        }
    }

    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
#pragma warning disable CA2101, CA5392, SYSLIB1054
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int fsync(int fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int fd);
#pragma warning restore CA2101, CA5392, SYSLIB1054
    }
}

/// <summary>What is saved of one function.</summary>
internal sealed record FunctionManifest(
    int Format,
    string Name,
    SavedFunction Latest,
    IReadOnlyList<SavedFunction> Versions,
    IReadOnlyList<SavedAlias> Aliases,
    int NextVersion,
    SavedLastPublished? LastPublished);

internal sealed record SavedFunction(
    FunctionDefinition Definition,
    string Version,
    string CodeRoot,
    bool WatchCode,
    string CodeSha256,
    long CodeSize,
    DateTimeOffset LastModified,
    long Revision);

internal sealed record SavedAlias(string Name, string FunctionVersion, string Description, string RevisionId);

internal sealed record SavedLastPublished(long Revision, string CodeSha256, int Number);

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(FunctionManifest))]
[JsonSerializable(typeof(FunctionDefinition))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;
