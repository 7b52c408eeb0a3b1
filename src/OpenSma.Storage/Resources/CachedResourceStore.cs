using System.Collections.Concurrent;

namespace OpenSma.Storage.Resources;

/// <summary>
/// Keeps read results of another store in memory until something is written. Configuration is
/// read far more often than it changes (every API read, every inbound call's rule lookup), and
/// each read of the SQL store costs a pooled connection, a query and a JSON parse.
/// <para>
/// Every write goes straight to the inner store; when it returns (whatever its outcome) the
/// written kind's generation grows, which invalidates every cached read of that kind. A read
/// records the generation it saw <em>before</em> asking the inner store, so a read that raced
/// with a write is never served afterwards. Cached values are immutable records, shared as they
/// are. Only correct when every writer goes through this instance: use it for a store that one
/// process owns (the embedded SQLite file), not for a database that several servers share.
/// </para>
/// <para>
/// When the inner store is an <see cref="IResourceChangeSignal"/>, writes made through it by
/// other readers of the same instance (for example the control plane writing while the SIP
/// router reads through its own cache) invalidate too. With <paramref name="freshness"/> set, a
/// cached result is also used for at most that long, which bounds how late writes by other
/// processes sharing a database are seen. Zero turns caching off (every read goes to the inner
/// store).
/// </para>
/// </summary>
/// <param name="freshness">How long a cached result may be used; null: until a write invalidates it.</param>
/// <param name="time">The clock for <paramref name="freshness"/>; null: the system clock.</param>
public sealed class CachedResourceStore(IResourceStore inner, int maxEntries = 10_000, TimeSpan? freshness = null, TimeProvider? time = null)
    : IResourceStore, IResourceChangeSignal, IDisposable, IAsyncDisposable
{
    private const string TagsKind = "\u0001tags";
    private const string SettingsKind = "\u0001settings";
    private readonly ConcurrentDictionary<string, Generation> _generations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<CacheKey, Entry> _entries = new();

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly long _freshnessTicks = FreshnessTicks(freshness, time ?? TimeProvider.System);

    public IResourceStore Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <summary>How long a cached result may be used; null: until a write invalidates it.</summary>
    public TimeSpan? Freshness { get; } = freshness;

    /// <summary>This cache's own writes of <paramref name="kind"/> plus those the inner store signals.</summary>
    public long ChangeVersion(string kind) =>
        Volatile.Read(ref GenerationOf(kind).Value) + ((Inner as IResourceChangeSignal)?.ChangeVersion(kind) ?? 0);

    public ValueTask<Stored<T>?> GetAsync<T>(string id, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T> =>
        ReadAsync(new CacheKey(T.Kind, Operation.Get, id, 0, 0), () => Inner.GetAsync<T>(id, cancellationToken));

    public ValueTask<Stored<T>?> FindByKeyAsync<T>(string uniqueKey, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T> =>
        ReadAsync(new CacheKey(T.Kind, Operation.FindByKey, uniqueKey, 0, 0), () => Inner.FindByKeyAsync<T>(uniqueKey, cancellationToken));

    public ValueTask<IReadOnlyList<Stored<T>>> ListAsync<T>(long afterSequence, int limit, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T> =>
        ReadAsync(new CacheKey(T.Kind, Operation.List, "", afterSequence, limit), () => Inner.ListAsync<T>(afterSequence, limit, cancellationToken))!;

    public ValueTask<WriteResult> InsertAsync<T>(T document, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T> =>
        WriteAsync(T.Kind, () => Inner.InsertAsync(document, cancellationToken));

    public ValueTask<WriteResult> UpdateAsync<T>(T document, long expectedVersion, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T> =>
        WriteAsync(T.Kind, () => Inner.UpdateAsync(document, expectedVersion, cancellationToken));

    public ValueTask<WriteResult> DeleteAsync<T>(string id, long? expectedVersion, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T> =>
        WriteAsync(T.Kind, () => Inner.DeleteAsync<T>(id, expectedVersion, cancellationToken));

    public ValueTask<IReadOnlyList<WriteResult>> InsertWithinQuotaAsync<T>(IReadOnlyList<T> documents, int limit, Func<T, bool> counted, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T> =>
        WriteAsync(T.Kind, () => Inner.InsertWithinQuotaAsync(documents, limit, counted, cancellationToken));

    /// <summary>Never cached: every event must be counted where the other servers count too.</summary>
    public ValueTask<long> CountInWindowAsync(string key, long window, CancellationToken cancellationToken) =>
        Inner.CountInWindowAsync(key, window, cancellationToken);

    public ValueTask<IReadOnlyList<ResourceTag>> GetTagsAsync(string resourceArn, CancellationToken cancellationToken) =>
        ReadAsync(new CacheKey(TagsKind, Operation.Get, resourceArn, 0, 0), () => Inner.GetTagsAsync(resourceArn, cancellationToken))!;

    public async ValueTask PutTagsAsync(string resourceArn, IReadOnlyList<ResourceTag> tags, CancellationToken cancellationToken) =>
        await WriteAsync(TagsKind, async () =>
        {
            await Inner.PutTagsAsync(resourceArn, tags, cancellationToken).ConfigureAwait(false);
            return default(WriteResult);
        }).ConfigureAwait(false);

    public async ValueTask RemoveTagsAsync(string resourceArn, IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
        await WriteAsync(TagsKind, async () =>
        {
            await Inner.RemoveTagsAsync(resourceArn, keys, cancellationToken).ConfigureAwait(false);
            return default(WriteResult);
        }).ConfigureAwait(false);

    public ValueTask<string?> GetSettingAsync(string name, CancellationToken cancellationToken) =>
        ReadAsync(new CacheKey(SettingsKind, Operation.Get, name, 0, 0), () => Inner.GetSettingAsync(name, cancellationToken));

    public async ValueTask PutSettingAsync(string name, string value, CancellationToken cancellationToken) =>
        await WriteAsync(SettingsKind, async () =>
        {
            await Inner.PutSettingAsync(name, value, cancellationToken).ConfigureAwait(false);
            return default(WriteResult);
        }).ConfigureAwait(false);

    public void Dispose()
    {
        _entries.Clear();
        (Inner as IDisposable)?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        _entries.Clear();
        switch (Inner)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    private Generation GenerationOf(string kind) => _generations.GetOrAdd(kind, static _ => new Generation());

    private ValueTask<T> ReadAsync<T>(CacheKey key, Func<ValueTask<T>> read)
    {
        if (_freshnessTicks == 0)
        {
            return read();
        }

        var seen = ChangeVersion(key.Kind);
        var now = _time.GetTimestamp();
        if (_entries.TryGetValue(key, out var entry) && entry.Generation == seen
            && (_freshnessTicks < 0 || now - entry.ReadAt < _freshnessTicks))
        {
            return ValueTask.FromResult((T)entry.Value!);
        }

        return MissAsync(key, seen, now, read);
    }

    private async ValueTask<T> MissAsync<T>(CacheKey key, long seen, long readAt, Func<ValueTask<T>> read)
    {
        var value = await read().ConfigureAwait(false);
        if (_entries.Count >= maxEntries)
        {
            // A crude bound: entries are cheap to rebuild, and a full cache means many distinct pages or ids.
            _entries.Clear();
        }

        // Aged from before the read: what the inner store answered can be no older than that.
        _entries[key] = new Entry(seen, readAt, value);
        return value;
    }

    /// <summary>-1: no bound; 0: no caching; otherwise the bound in the clock's timestamp units.</summary>
    private static long FreshnessTicks(TimeSpan? freshness, TimeProvider time)
    {
        if (freshness is not { } bound)
        {
            return -1;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(bound, TimeSpan.Zero, nameof(freshness));
        return bound == TimeSpan.Zero ? 0 : Math.Max(1, (long)(bound.TotalSeconds * time.TimestampFrequency));
    }

    private async ValueTask<TResult> WriteAsync<TResult>(string kind, Func<ValueTask<TResult>> write)
    {
        try
        {
            return await write().ConfigureAwait(false);
        }
        finally
        {
            // After the write has reached the database: a read that started earlier recorded the older generation.
            Interlocked.Increment(ref GenerationOf(kind).Value);
        }
    }

    private enum Operation
    {
        Get,
        FindByKey,
        List,
    }

    private readonly record struct CacheKey(string Kind, Operation Operation, string Key, long After, int Limit);

    private sealed record Entry(long Generation, long ReadAt, object? Value);

    private sealed class Generation
    {
        public long Value;
    }
}
