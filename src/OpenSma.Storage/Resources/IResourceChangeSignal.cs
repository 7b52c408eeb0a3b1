using System.Collections.Concurrent;

namespace OpenSma.Storage.Resources;

/// <summary>
/// Tells readers that keep results in memory when documents of a kind were written through this
/// process. <see cref="ChangeVersion"/> grows after every insert, update or delete of that kind
/// has reached the database (whatever its outcome), so a reader that recorded the version
/// <em>before</em> reading and finds it unchanged later knows no write of this process landed in
/// between. Writes by other processes sharing the database (PostgreSQL) are not seen here: a
/// reader that can meet them bounds the age of what it keeps instead.
/// </summary>
public interface IResourceChangeSignal
{
    /// <summary>The number of writes of documents of <paramref name="kind"/> made through this store so far.</summary>
    long ChangeVersion(string kind);
}

/// <summary>Per-kind write counters behind <see cref="IResourceChangeSignal"/>.</summary>
internal sealed class ResourceChangeCounters
{
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);

    public long Version(string kind) => _counters.TryGetValue(kind, out var counter) ? Volatile.Read(ref counter.Value) : 0;

    public void Bump(string kind) => Interlocked.Increment(ref _counters.GetOrAdd(kind, static _ => new Counter()).Value);

    private sealed class Counter
    {
        public long Value;
    }
}
