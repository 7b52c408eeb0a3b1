namespace OpenSma.Functions.Registry;

/// <summary>
/// The published versions and the aliases of one function. Publishing snapshots $LATEST: a code
/// folder is copied (so later edits do not change the version), a zip package is already immutable.
/// </summary>
internal sealed class FunctionVersions
{
    private readonly SortedDictionary<int, RegisteredFunction> _versions = [];
    private readonly Dictionary<string, FunctionAlias> _aliases = new(StringComparer.Ordinal);
    private (long Revision, string CodeSha256, int Number)? _lastPublished;
    private int _nextNumber = 1;

    public Lock Gate { get; } = new();

    /// <summary>The number the next published version gets; never goes back (a restart keeps it).</summary>
    public int NextNumber => Math.Max(_nextNumber, _versions.Count == 0 ? 1 : _versions.Keys.Max() + 1);

    public IReadOnlyList<RegisteredFunction> Versions => [.. _versions.Values];

    public IReadOnlyList<FunctionAlias> Aliases => [.. _aliases.Values.OrderBy(a => a.Name, StringComparer.Ordinal)];

    /// <summary>Lambda does not publish a new version when neither code nor configuration changed since the last one.</summary>
    /// <param name="codeSha256">The code's identity now (a watched folder may have changed since it was registered).</param>
    public RegisteredFunction? Unchanged(RegisteredFunction latest, string codeSha256) =>
        _lastPublished is { } last && last.Revision == latest.Revision && last.CodeSha256 == codeSha256
            && _versions.TryGetValue(last.Number, out var version) ? version : null;

    public void Add(int number, RegisteredFunction version, RegisteredFunction publishedFrom, string codeSha256)
    {
        _versions[number] = version;
        _lastPublished = (publishedFrom.Revision, codeSha256, number);
        _nextNumber = Math.Max(_nextNumber, number + 1);
    }

    /// <summary>What the manifest saves (under <see cref="Gate"/>).</summary>
    public (IReadOnlyList<RegisteredFunction> Versions, IReadOnlyList<FunctionAlias> Aliases, int NextNumber, SavedLastPublished? LastPublished) Export() =>
        (Versions, Aliases, NextNumber,
            _lastPublished is { } last ? new SavedLastPublished(last.Revision, last.CodeSha256, last.Number) : null);

    /// <summary>A copy of everything, to put back when a change could not be saved.</summary>
    public object Capture() => (new SortedDictionary<int, RegisteredFunction>(_versions),
        new Dictionary<string, FunctionAlias>(_aliases, StringComparer.Ordinal), _lastPublished, _nextNumber);

    public void Restore(object captured)
    {
        var (versions, aliases, last, next) = ((SortedDictionary<int, RegisteredFunction>, Dictionary<string, FunctionAlias>, (long, string, int)?, int))captured;
        _versions.Clear();
        foreach (var (k, v) in versions)
            _versions[k] = v;
        _aliases.Clear();
        foreach (var (k, v) in aliases)
            _aliases[k] = v;
        _lastPublished = last;
        _nextNumber = next;
    }

    /// <summary>Rebuilds the versions from a saved manifest (at start-up).</summary>
    public void Import(IEnumerable<(int Number, RegisteredFunction Version)> versions, IEnumerable<FunctionAlias> aliases, int nextNumber, SavedLastPublished? lastPublished)
    {
        foreach (var (number, version) in versions)
            _versions[number] = version;
        foreach (var alias in aliases)
            _aliases[alias.Name] = alias;
        _lastPublished = lastPublished is { } last ? (last.Revision, last.CodeSha256, last.Number) : null;
        _nextNumber = Math.Max(nextNumber, 1);
    }

    /// <summary>Nothing was ever published or aliased: qualifiers are not resolved strictly yet.</summary>
    public bool IsEmpty => _versions.Count == 0 && _aliases.Count == 0;

    public bool TryGetVersion(string version, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RegisteredFunction? function)
    {
        function = null;
        return int.TryParse(version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            && _versions.TryGetValue(n, out function);
    }

    public bool TryGetAlias(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out FunctionAlias? alias) =>
        _aliases.TryGetValue(name, out alias);

    public void PutAlias(FunctionAlias alias) => _aliases[alias.Name] = alias;

    public bool RemoveAlias(string name) => _aliases.Remove(name);
}
