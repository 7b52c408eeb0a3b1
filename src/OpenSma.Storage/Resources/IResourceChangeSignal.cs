using System.Collections.Concurrent;

namespace OpenSma.Storage.Resources;

/// <summary>
/// Tells readers that keep results in memory when documents of a kind were written through this
/// process. <see cref="ChangeVersion"/> grows after every insert, update or delete of that kind
/// has reached the database (whatever its outcome), so a reader that recorded the version
/// <em>before</em> reading and finds it unchanged later knows no write of this process landed in
/// between. The PostgreSQL store also counts writes by other processes sharing the database, as
/// their notifications arrive (<see cref="IResourceChangeFeed"/>); since a notification can be lost
/// (the listening connection down), a reader that can meet such writes still bounds the age of
/// what it keeps.
/// </summary>
public interface IResourceChangeSignal
{
    /// <summary>The number of writes of documents of <paramref name="kind"/> made through this store so far.</summary>
    long ChangeVersion(string kind);
}

/// <summary>
/// How a store learns of writes made by other processes sharing its database (PostgreSQL
/// LISTEN/NOTIFY), for operators and tests.
/// </summary>
public interface IResourceChangeFeed
{
    /// <summary>Whether the listening connection is up now.</summary>
    bool IsListening { get; }

    /// <summary>Times the listening connection was established (more than 1: it reconnected).</summary>
    long Connects { get; }

    /// <summary>Notifications received, this process's own included.</summary>
    long NotificationsReceived { get; }

    /// <summary>Why the last connection or announcement failed; null once listening again.</summary>
    string? LastError { get; }
}

/// <summary>A store that may carry an <see cref="IResourceChangeFeed"/> (null when it has none, as SQLite).</summary>
public interface IResourceChangeFeedSource
{
    IResourceChangeFeed? ChangeFeed { get; }
}

/// <summary>Per-kind write counters behind <see cref="IResourceChangeSignal"/>.</summary>
internal sealed class ResourceChangeCounters
{
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);
    private long _all;

    // Every kind's version includes the count of BumpAll calls, so each stays monotonic.
    public long Version(string kind) => Volatile.Read(ref _all) + (_counters.TryGetValue(kind, out var counter) ? Volatile.Read(ref counter.Value) : 0);

    public void Bump(string kind) => Interlocked.Increment(ref _counters.GetOrAdd(kind, static _ => new Counter()).Value);

    /// <summary>Every kind changed (for example: writes by other processes may have been missed).</summary>
    public void BumpAll() => Interlocked.Increment(ref _all);

    private sealed class Counter
    {
        public long Value;
    }
}
