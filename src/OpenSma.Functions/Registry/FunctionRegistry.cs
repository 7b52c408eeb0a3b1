using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;
using OpenSma.Functions.Runtimes;

namespace OpenSma.Functions.Registry;

/// <summary>
/// The set of local functions by name. Zip packages are extracted into the work directory;
/// code directories are used in place (and watched for hot reload). With a state directory every
/// change is saved there before the method returns (<see cref="RegistryStore"/>), and a new
/// registry on the same directory starts with the same functions, versions and aliases.
/// </summary>
public sealed class FunctionRegistry
{
    private readonly ConcurrentDictionary<string, RegisteredFunction> _functions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FunctionVersions> _versions = new(StringComparer.Ordinal);
    private readonly string _region;
    private readonly string _accountId;
    private readonly string _workDirectory;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _writeLock = new();
    private readonly RegistryStore? _store;
    private long _revision;

    /// <param name="stateDirectory">Where the functions are saved and reloaded from; null keeps them in memory only.</param>
    public FunctionRegistry(string region, string accountId, string workDirectory, TimeProvider timeProvider, string? stateDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _region = region;
        _accountId = accountId;
        _workDirectory = workDirectory;
        _timeProvider = timeProvider;
        if (stateDirectory is null)
            return;
        _store = new RegistryStore(stateDirectory);
        var problems = new List<string>();
        foreach (var manifest in _store.Load(timeProvider.GetUtcNow(), problems))
            Reload(manifest, problems);
        LoadProblems = problems;
        RemoveUnfinishedCopies();
    }

    /// <summary>Extractions and version copies a killed process left half done (never named by a manifest).</summary>
    private void RemoveUnfinishedCopies()
    {
        var codeFolder = Path.Combine(_workDirectory, "code");
        if (!Directory.Exists(codeFolder))
            return;
        foreach (var dir in Directory.EnumerateDirectories(codeFolder, "*.tmp-*"))
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Only disk space.
            }
        }
    }

    /// <summary>The folder the state is saved in; null when the registry lives in memory only.</summary>
    public string? StateDirectory => _store?.Directory;

    /// <summary>
    /// What went wrong reading the saved state at start-up (an interrupted write discarded, a manifest
    /// that could not be read, a code folder that is gone), one message per event naming the file.
    /// </summary>
    public IReadOnlyList<string> LoadProblems { get; } = [];

    public string ArnFor(string name) => LambdaArn.Format(_region, _accountId, name);

    /// <summary>Adds or replaces a function. <paramref name="zipBytes"/> overrides the definition's code location.</summary>
    /// <exception cref="FunctionConfigurationException">The definition is invalid.</exception>
    public RegisteredFunction Put(FunctionDefinition definition, ReadOnlyMemory<byte>? zipBytes = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Validate(definition, zipBytes.HasValue);
        lock (_writeLock)
        {
            var code = PrepareCode(definition, zipBytes);
            return Commit(definition.Name, () => PutCore(definition, code));
        }
    }

    /// <summary>
    /// A configuration-file entry at start-up: it wins over the saved $LATEST of the same name, while
    /// that function's saved versions, aliases and version counter are kept. When the entry and its
    /// code are what was saved, the saved $LATEST (with its revision) is kept as it is.
    /// </summary>
    /// <exception cref="FunctionConfigurationException">The definition is invalid.</exception>
    public RegisteredFunction PutConfigured(FunctionDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Validate(definition, zipGiven: false);
        lock (_writeLock)
        {
            var code = PrepareCode(definition, null);
            if (_functions.TryGetValue(definition.Name, out var saved) && SameDefinition(saved.Definition, definition)
                && saved.CodeRoot == code.Root && saved.CodeSha256 == code.Sha && saved.WatchCode == code.Watch)
                return saved;
            return Commit(definition.Name, () => PutCore(definition, code));
        }
    }

    private RegisteredFunction PutCore(FunctionDefinition definition, (string Root, bool Watch, string Sha, long Size) code)
    {
        var entry = new RegisteredFunction(
            definition, ArnFor(definition.Name), code.Root, code.Watch, code.Sha, code.Size, _timeProvider.GetUtcNow(), ++_revision);
        _functions[definition.Name] = entry;
        return entry;
    }

    private static bool SameDefinition(FunctionDefinition a, FunctionDefinition b) =>
        a with { Environment = NoEnvironment } == b with { Environment = NoEnvironment }
        && a.Environment.Count == b.Environment.Count
        && a.Environment.All(e => b.Environment.TryGetValue(e.Key, out var v) && v == e.Value);

    private static readonly Dictionary<string, string> NoEnvironment = [];

    /// <summary>Replaces the configuration and keeps the code (UpdateFunctionConfiguration).</summary>
    public RegisteredFunction? UpdateConfiguration(string name, Func<FunctionDefinition, FunctionDefinition> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_writeLock)
        {
            if (!_functions.TryGetValue(name, out var current))
                return null;
            var definition = change(current.Definition) with { Name = current.Name };
            Validate(definition, zipGiven: true);
            return Commit(name, () =>
            {
                var entry = current with { Definition = definition, LastModified = _timeProvider.GetUtcNow(), Revision = ++_revision };
                _functions[name] = entry;
                return entry;
            });
        }
    }

    /// <summary>
    /// Looks a function up by name, full ARN or partial ARN. A qualifier picks the version: none or
    /// <c>$LATEST</c> the editable one, a number a published version, anything else an alias.
    /// </summary>
    public bool TryGet(string nameOrArn, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RegisteredFunction? function) =>
        TryGet(nameOrArn, qualifier: null, out function);

    /// <param name="qualifier">A separate qualifier (the API's <c>Qualifier</c> parameter); one in the ARN wins.</param>
    public bool TryGet(string nameOrArn, string? qualifier, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RegisteredFunction? function)
    {
        function = null;
        if (!LambdaArn.TryParse(nameOrArn, out var arn) || !_functions.TryGetValue(arn.FunctionName, out var latest))
            return false;
        var wanted = arn.Qualifier ?? qualifier;
        if (wanted is null or RegisteredFunction.Latest)
        {
            function = latest;
            return true;
        }
        // A function that never had a version published or an alias made answers every qualifier with
        // $LATEST, so an SMA configuration copied from AWS (function:NAME:live) runs unchanged.
        if (!_versions.TryGetValue(arn.FunctionName, out var versions))
        {
            function = latest;
            return true;
        }
        lock (versions.Gate)
        {
            if (versions.IsEmpty)
            {
                function = latest;
                return true;
            }
            if (versions.TryGetAlias(wanted, out var alias))
                wanted = alias.FunctionVersion;
            if (wanted == RegisteredFunction.Latest)
            {
                function = latest;
                return true;
            }
            return versions.TryGetVersion(wanted, out function);
        }
    }

    public IReadOnlyList<RegisteredFunction> List() => [.. _functions.Values.OrderBy(f => f.Name, StringComparer.Ordinal)];

    /// <exception cref="IOException">The saved state could not be removed; the function stays.</exception>
    public bool Remove(string nameOrArn)
    {
        if (!LambdaArn.TryParse(nameOrArn, out var arn))
            return false;
        lock (_writeLock)
        {
            if (!_functions.TryGetValue(arn.FunctionName, out var latest))
                return false;
            _store?.Delete(arn.FunctionName);
            _functions.TryRemove(arn.FunctionName, out _);
            _versions.TryRemove(arn.FunctionName, out var versions);
            if (_store is not null)
                RemoveCopiedCode(latest, versions);
            return true;
        }
    }

    /// <summary>
    /// A deleted function's extracted packages and version snapshots (only those inside the work
    /// directory's code folder; a code folder registered in place is the user's and stays).
    /// </summary>
    private void RemoveCopiedCode(RegisteredFunction latest, FunctionVersions? versions)
    {
        var codeFolder = Path.GetFullPath(Path.Combine(_workDirectory, "code")) + Path.DirectorySeparatorChar;
        IEnumerable<RegisteredFunction> all = [latest];
        if (versions is not null)
        {
            lock (versions.Gate)
                all = [latest, .. versions.Versions];
        }
        foreach (var root in all.Where(f => !f.WatchCode).Select(f => Path.GetFullPath(f.CodeRoot)).Distinct(StringComparer.Ordinal))
        {
            if (!root.StartsWith(codeFolder, StringComparison.Ordinal))
                continue;
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: a folder left behind only costs disk space.
            }
        }
    }

    /// <summary>
    /// PublishVersion: an immutable snapshot of $LATEST's code and configuration, numbered 1, 2, ...
    /// When nothing changed since the last published version, that version is returned instead.
    /// </summary>
    /// <returns>Null when there is no such function.</returns>
    public RegisteredFunction? Publish(string name, string? description = null)
    {
        lock (_writeLock)
            return _functions.ContainsKey(name) ? Commit(name, () => PublishCore(name, description)) : null;
    }

    private RegisteredFunction PublishCore(string name, string? description)
    {
        var latest = _functions[name];
        var versions = _versions.GetOrAdd(name, _ => new FunctionVersions());
        lock (versions.Gate)
        {
            var current = latest.WatchCode ? CodeFingerprint.Compute(latest.CodeRoot).Hash : latest.CodeSha256;
            if (versions.Unchanged(latest, current) is { } same)
                return same;
            var number = versions.NextNumber;
            var version = number.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var root = latest.WatchCode ? Snapshot(latest.CodeRoot, name, version) : latest.CodeRoot;
            if (_store is not null && latest.WatchCode)
                RegistryStore.FlushTree(root);
            var sha = latest.WatchCode ? CodeFingerprint.Compute(root).Hash : latest.CodeSha256;
            var definition = description is null ? latest.Definition : latest.Definition with { Description = description };
            var entry = latest with
            {
                Definition = definition,
                Arn = latest.Arn + ":" + version,
                CodeRoot = root,
                WatchCode = false,
                CodeSha256 = sha,
                LastModified = _timeProvider.GetUtcNow(),
                Version = version,
            };
            versions.Add(number, entry, latest, current);
            return entry;
        }
    }

    /// <summary>$LATEST then the published versions, oldest first (ListVersionsByFunction).</summary>
    public IReadOnlyList<RegisteredFunction>? ListVersions(string name)
    {
        if (!_functions.TryGetValue(name, out var latest))
            return null;
        if (!_versions.TryGetValue(name, out var versions))
            return [latest];
        lock (versions.Gate)
            return [latest, .. versions.Versions];
    }

    public IReadOnlyList<FunctionAlias>? ListAliases(string name)
    {
        if (!_functions.ContainsKey(name))
            return null;
        if (!_versions.TryGetValue(name, out var versions))
            return [];
        lock (versions.Gate)
            return versions.Aliases;
    }

    public FunctionAlias? GetAlias(string name, string alias)
    {
        if (!_functions.ContainsKey(name) || !_versions.TryGetValue(name, out var versions))
            return null;
        lock (versions.Gate)
            return versions.TryGetAlias(alias, out var found) ? found : null;
    }

    /// <summary>CreateAlias (<paramref name="mustExist"/> false) or UpdateAlias (true).</summary>
    /// <exception cref="FunctionConfigurationException">A bad alias name, an unknown version, or (create) an alias that exists.</exception>
    /// <returns>Null when the function (or, for an update, the alias) does not exist.</returns>
    public FunctionAlias? PutAlias(string name, string alias, string? functionVersion, string? description, bool mustExist)
    {
        if (!IsValidAliasName(alias))
            throw new FunctionConfigurationException($"Alias name '{alias}' must be 1-128 letters, digits, hyphens or underscores, and not only digits.");
        lock (_writeLock)
            return _functions.ContainsKey(name) ? Commit(name, () => PutAliasCore(name, alias, functionVersion, description, mustExist)) : null;
    }

    private FunctionAlias? PutAliasCore(string name, string alias, string? functionVersion, string? description, bool mustExist)
    {
        var versions = _versions.GetOrAdd(name, _ => new FunctionVersions());
        lock (versions.Gate)
        {
            var exists = versions.TryGetAlias(alias, out var current);
            if (mustExist && !exists)
                return null;
            if (!mustExist && exists)
                throw new AliasConflictException($"Alias already exists: {ArnFor(name)}:{alias}");
            var target = functionVersion ?? current?.FunctionVersion
                ?? throw new FunctionConfigurationException("FunctionVersion is required.");
            if (target != RegisteredFunction.Latest && !versions.TryGetVersion(target, out _))
                throw new FunctionConfigurationException($"Function version {target} of {name} does not exist.");
            var entry = new FunctionAlias(name, alias, target, description ?? current?.Description ?? "",
                $"{ArnFor(name)}:{alias}", Guid.NewGuid().ToString());
            versions.PutAlias(entry);
            return entry;
        }
    }

    public bool DeleteAlias(string name, string alias)
    {
        lock (_writeLock)
        {
            if (!_versions.TryGetValue(name, out var versions))
                return false;
            bool exists;
            lock (versions.Gate)
                exists = versions.TryGetAlias(alias, out _);
            if (!exists)
                return false;
            return Commit(name, () =>
            {
                lock (versions.Gate)
                    return versions.RemoveAlias(alias);
            });
        }
    }

    /// <summary>
    /// Runs a change of one function (under the write lock) and saves that function's manifest.
    /// When the save fails the change is undone in memory and the <see cref="IOException"/> thrown:
    /// an answered request is on disk, a refused one changed nothing.
    /// </summary>
    private T Commit<T>(string name, Func<T> change)
    {
        if (_store is null)
            return change();
        _functions.TryGetValue(name, out var before);
        _versions.TryGetValue(name, out var versions);
        object? captured = null;
        if (versions is not null)
        {
            lock (versions.Gate)
                captured = versions.Capture();
        }
        var revision = _revision;
        var result = change();
        try
        {
            Save(name);
            return result;
        }
        catch (IOException)
        {
            if (before is null)
                _functions.TryRemove(name, out _);
            else
                _functions[name] = before;
            if (versions is null)
            {
                _versions.TryRemove(name, out _);
            }
            else
            {
                lock (versions.Gate)
                    versions.Restore(captured!);
            }
            _revision = revision;
            throw;
        }
    }

    private void Save(string name)
    {
        var latest = _functions[name];
        IReadOnlyList<RegisteredFunction> published = [];
        IReadOnlyList<FunctionAlias> aliases = [];
        var next = 1;
        SavedLastPublished? last = null;
        if (_versions.TryGetValue(name, out var versions))
        {
            lock (versions.Gate)
                (published, aliases, next, last) = versions.Export();
        }
        _store!.Save(new FunctionManifest(
            RegistryStore.FormatVersion, name, Saved(latest), [.. published.Select(Saved)],
            [.. aliases.Select(a => new SavedAlias(a.Name, a.FunctionVersion, a.Description, a.RevisionId))], next, last));

        SavedFunction Saved(RegisteredFunction f) =>
            new(f.Definition, f.Version, SavedRoot(f), f.WatchCode, f.CodeSha256, f.CodeSize, f.LastModified, f.Revision);
    }

    /// <summary>
    /// Code the registry copied into the work directory is saved relative to it, so the data
    /// directory can move (another mount point, a restored backup); a folder registered in place keeps its absolute path.
    /// </summary>
    private string SavedRoot(RegisteredFunction f)
    {
        if (f.WatchCode)
            return f.CodeRoot;
        var relative = Path.GetRelativePath(Path.GetFullPath(_workDirectory), Path.GetFullPath(f.CodeRoot));
        return relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(relative)
            ? f.CodeRoot
            : relative;
    }

    /// <summary>Puts one saved function back (start-up).</summary>
    private void Reload(FunctionManifest manifest, List<string> problems)
    {
        var name = manifest.Name;
        if (!LambdaArn.IsValidName(name))
        {
            problems.Add($"Function state file '{_store!.PathOf(name)}' names an invalid function '{name}'; it was not loaded.");
            return;
        }
        var latest = Restored(manifest.Latest with { Version = RegisteredFunction.Latest }, ArnFor(name));
        var published = new List<(int, RegisteredFunction)>();
        foreach (var saved in manifest.Versions ?? [])
        {
            if (!int.TryParse(saved.Version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) || number < 1)
            {
                problems.Add($"Function state file '{_store!.PathOf(name)}' has a version '{saved.Version}' that is not a number; that version was not loaded.");
                continue;
            }
            published.Add((number, Restored(saved, ArnFor(name) + ":" + saved.Version)));
        }
        foreach (var f in published.Select(p => p.Item2).Prepend(latest).Where(f => !Directory.Exists(f.CodeRoot)))
            problems.Add($"Function '{name}' version {f.Version}: its code folder '{f.CodeRoot}' is missing; invocations of it fail until new code is deployed.");
        _functions[name] = latest;
        var aliases = (manifest.Aliases ?? []).Select(a => new FunctionAlias(name, a.Name, a.FunctionVersion, a.Description ?? "", $"{ArnFor(name)}:{a.Name}", a.RevisionId));
        var versions = new FunctionVersions();
        versions.Import(published, aliases, manifest.NextVersion, manifest.LastPublished);
        if (!versions.IsEmpty || manifest.NextVersion > 1)
            _versions[name] = versions;
        _revision = Math.Max(_revision, published.Select(p => p.Item2.Revision).Append(latest.Revision).Max());

        RegisteredFunction Restored(SavedFunction s, string arn) =>
            new(s.Definition, arn, Path.IsPathRooted(s.CodeRoot) ? s.CodeRoot : Path.Combine(_workDirectory, s.CodeRoot),
                s.WatchCode, s.CodeSha256, s.CodeSize, s.LastModified, s.Revision) { Version = s.Version };
    }

    private static bool IsValidAliasName(string alias) =>
        alias.Length is > 0 and <= 128 && alias.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') && !alias.All(char.IsAsciiDigit);

    /// <summary>Copies a code folder for a published version (without .git), so later edits leave the version alone.</summary>
    private string Snapshot(string source, string name, string version)
    {
        var target = Path.Combine(_workDirectory, "code", $"{name}-v{version}-{Guid.NewGuid():N}"[..(name.Length + version.Length + 11)]);
        // Copied under a temporary name and renamed when complete: a copy cut short is never a version's code.
        var staging = target + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            foreach (var dir in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(source, dir);
                if (!IsGit(relative))
                    Directory.CreateDirectory(Path.Combine(staging, relative));
            }
            Directory.CreateDirectory(staging);
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(source, file);
                if (!IsGit(relative))
                    File.Copy(file, Path.Combine(staging, relative), overwrite: true);
            }
            Directory.Move(staging, target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                Directory.Delete(staging, recursive: true);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
            }
            throw;
        }
        return target;

        static bool IsGit(string relative) =>
            relative == ".git" || relative.StartsWith(".git" + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    /// <summary>Checks a definition as <see cref="Put"/> would, without registering it (for tools that write configuration files).</summary>
    /// <exception cref="FunctionConfigurationException">The definition is invalid or its code is missing.</exception>
    public static void Check(FunctionDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Validate(definition, zipGiven: false);
        if (definition.CodeDirectory is { } dir && !Directory.Exists(dir))
            throw new FunctionConfigurationException($"Code directory '{Path.GetFullPath(dir)}' does not exist.");
        if (definition.ZipFile is { } zip && !File.Exists(zip))
            throw new FunctionConfigurationException($"Zip file '{Path.GetFullPath(zip)}' does not exist.");
    }

    private static void Validate(FunctionDefinition d, bool zipGiven)
    {
        if (!LambdaArn.IsValidName(d.Name))
            throw new FunctionConfigurationException($"Function name '{d.Name}' must be 1-64 letters, digits, hyphens or underscores.");
        if (!RuntimeCatalog.IsKnown(d.Runtime))
            throw new FunctionConfigurationException($"Runtime '{d.Runtime}' is not supported. Supported: {string.Join(", ", RuntimeCatalog.Names)}.");
        if (!zipGiven && (d.CodeDirectory is null) == (d.ZipFile is null))
            throw new FunctionConfigurationException($"Function '{d.Name}' needs exactly one of CodeDirectory and ZipFile.");
        if (d.Timeout is < 1 or > 900)
            throw new FunctionConfigurationException("Timeout must be between 1 and 900 seconds.");
        if (d.MemorySize is < 128 or > 10240)
            throw new FunctionConfigurationException("MemorySize must be between 128 and 10240 MB.");
        if (d.ReservedConcurrency is < 0)
            throw new FunctionConfigurationException("ReservedConcurrency must not be negative.");
        if (string.IsNullOrWhiteSpace(d.Handler))
            throw new FunctionConfigurationException("Handler is required.");
    }

    private (string Root, bool Watch, string Sha, long Size) PrepareCode(FunctionDefinition d, ReadOnlyMemory<byte>? zipBytes)
    {
        if (zipBytes is { } bytes)
            return ExtractZip(d.Name, bytes);
        if (d.ZipFile is { } zipPath)
        {
            if (!File.Exists(zipPath))
                throw new FunctionConfigurationException($"Zip file '{zipPath}' does not exist.");
            return ExtractZip(d.Name, File.ReadAllBytes(zipPath));
        }
        var dir = Path.GetFullPath(d.CodeDirectory!);
        if (!Directory.Exists(dir))
            throw new FunctionConfigurationException($"Code directory '{dir}' does not exist.");
        var fingerprint = CodeFingerprint.Compute(dir);
        return (dir, true, fingerprint.Hash, fingerprint.Size);
    }

    private (string Root, bool Watch, string Sha, long Size) ExtractZip(string name, ReadOnlyMemory<byte> bytes)
    {
        var sha = Convert.ToBase64String(SHA256.HashData(bytes.Span));
        var target = Path.Combine(_workDirectory, "code", $"{name}-{Convert.ToHexString(SHA256.HashData(bytes.Span))[..16]}");
        try
        {
            if (!Directory.Exists(target))
            {
                var staging = target + ".tmp-" + Guid.NewGuid().ToString("N");
                using (var stream = new MemoryStream(bytes.ToArray(), writable: false))
                    ZipFile.ExtractToDirectory(stream, staging, overwriteFiles: true);
                Directory.Move(staging, target);
            }
        }
        catch (InvalidDataException e)
        {
            throw new FunctionConfigurationException($"Could not unzip the code package: {e.Message}", e);
        }
        catch (IOException) when (Directory.Exists(target))
        {
            // Another registration extracted the same package first; its copy is identical.
        }
        if (_store is not null)
            RegistryStore.FlushTree(target);
        return (target, false, sha, bytes.Length);
    }
}
