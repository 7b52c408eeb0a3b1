namespace OpenSma.Storage.Objects;

/// <summary>
/// Buckets mapped to backends by configuration: every call goes to the backend that holds its
/// bucket, and <see cref="AccessOf"/> answers from the bucket's rule.
/// </summary>
public sealed class RoutedObjectStore : IObjectStore, IRecentHeadSource
{
    private readonly IReadOnlyDictionary<string, IObjectStore> _backends;
    private readonly IReadOnlyDictionary<string, BucketRule> _exact;
    private readonly IReadOnlyList<(BucketPattern Pattern, BucketRule Rule)> _patterns;
    private readonly string _defaultBackend;

    public RoutedObjectStore(
        IReadOnlyDictionary<string, IObjectStore> backends,
        IReadOnlyDictionary<string, BucketRule> buckets,
        string defaultBackend)
    {
        ArgumentNullException.ThrowIfNull(backends);
        ArgumentNullException.ThrowIfNull(buckets);
        foreach (var (name, rule) in buckets)
        {
            if (rule.Backend is { } backend && !backends.ContainsKey(backend))
            {
                throw new InvalidOperationException($"Storage: bucket rule '{name}' names backend '{backend}', which is not configured.");
            }
        }

        if (!backends.ContainsKey(defaultBackend))
        {
            throw new InvalidOperationException($"Storage: the default backend '{defaultBackend}' is not configured.");
        }

        _backends = backends;
        _defaultBackend = defaultBackend;
        _exact = buckets.Where(b => !b.Key.Contains('*', StringComparison.Ordinal)).ToDictionary(b => b.Key, b => b.Value, StringComparer.Ordinal);
        _patterns = buckets.Where(b => b.Key.Contains('*', StringComparison.Ordinal))
            .OrderByDescending(b => b.Key.Length)
            .ThenBy(b => b.Key, StringComparer.Ordinal)
            .Select(b => (new BucketPattern(b.Key), b.Value))
            .ToList();
    }

    /// <summary>The rule for a bucket: an exact name first, then the longest matching pattern.</summary>
    public BucketRule RuleOf(string bucket)
    {
        if (_exact.TryGetValue(bucket, out var rule))
        {
            return rule;
        }

        foreach (var (pattern, candidate) in _patterns)
        {
            if (pattern.Matches(bucket))
            {
                return candidate;
            }
        }

        return new BucketRule();
    }

    public IObjectStore BackendOf(string bucket) => _backends[RuleOf(bucket).Backend ?? _defaultBackend];

    public BucketAccess AccessOf(string bucket)
    {
        var rule = RuleOf(bucket);
        return new BucketAccess(rule.SmaRead, rule.SmaWrite);
    }

    public async ValueTask<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken cancellationToken)
    {
        var all = new List<BucketInfo>();
        foreach (var backend in _backends.Values.Distinct())
        {
            foreach (var bucket in await backend.ListBucketsAsync(cancellationToken).ConfigureAwait(false))
            {
                // A remote account may hold buckets that are not routed here: those are not ours to show.
                if (ReferenceEquals(BackendOf(bucket.Name), backend))
                {
                    all.Add(bucket);
                }
            }
        }

        return all.OrderBy(b => b.Name, StringComparer.Ordinal).ToList();
    }

    public ValueTask<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken) =>
        BackendOf(bucket).BucketExistsAsync(bucket, cancellationToken);

    public ValueTask<ObjectStatus> CreateBucketAsync(string bucket, CancellationToken cancellationToken) =>
        BackendOf(bucket).CreateBucketAsync(bucket, cancellationToken);

    public ValueTask<ObjectReadResult> GetAsync(string bucket, string key, CancellationToken cancellationToken) =>
        BackendOf(bucket).GetAsync(bucket, key, cancellationToken);

    public ValueTask<ObjectReadResult> HeadAsync(string bucket, string key, CancellationToken cancellationToken) =>
        BackendOf(bucket).HeadAsync(bucket, key, cancellationToken);

    /// <summary>The backend's recent HEAD when it keeps one (<see cref="HeadCachingObjectStore"/>), else a plain HEAD.</summary>
    public ValueTask<ObjectReadResult> HeadRecentAsync(string bucket, string key, CancellationToken cancellationToken) =>
        BackendOf(bucket).HeadRecentAsync(bucket, key, cancellationToken);

    public ValueTask<ObjectWriteResult> PutAsync(string bucket, string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken) =>
        BackendOf(bucket).PutAsync(bucket, key, content, metadata, cancellationToken);

    public ValueTask<ObjectStatus> DeleteAsync(string bucket, string key, CancellationToken cancellationToken) =>
        BackendOf(bucket).DeleteAsync(bucket, key, cancellationToken);

    public ValueTask<ObjectListResult> ListAsync(string bucket, string? prefix, string? startAfter, int maxKeys, CancellationToken cancellationToken) =>
        BackendOf(bucket).ListAsync(bucket, prefix, startAfter, maxKeys, cancellationToken);

    /// <summary>A bucket name pattern where <c>*</c> matches any run of characters.</summary>
    private sealed class BucketPattern(string pattern)
    {
        private readonly string[] _parts = pattern.Split('*');

        public bool Matches(string name)
        {
            if (!name.StartsWith(_parts[0], StringComparison.Ordinal))
            {
                return false;
            }

            var at = _parts[0].Length;
            for (var i = 1; i < _parts.Length - 1; i++)
            {
                var found = name.IndexOf(_parts[i], at, StringComparison.Ordinal);
                if (found < 0)
                {
                    return false;
                }

                at = found + _parts[i].Length;
            }

            return name.Length - at >= _parts[^1].Length && name.EndsWith(_parts[^1], StringComparison.Ordinal);
        }
    }
}
