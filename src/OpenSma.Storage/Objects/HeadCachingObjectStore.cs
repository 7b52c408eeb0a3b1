namespace OpenSma.Storage.Objects;

/// <summary>
/// A store that can answer a HEAD from a recent result (<see cref="ObjectStoreExtensions.HeadRecentAsync"/>).
/// </summary>
public interface IRecentHeadSource
{
    /// <summary>
    /// The object's HEAD as it was at most the store's freshness window ago, or later: a write or
    /// delete of the object through this store is seen at once.
    /// </summary>
    ValueTask<ObjectReadResult> HeadRecentAsync(string bucket, string key, CancellationToken cancellationToken);
}

public static class ObjectStoreExtensions
{
    /// <summary>
    /// A HEAD that may be answered from memory when the store keeps recent results
    /// (<see cref="IRecentHeadSource"/>); otherwise a plain <see cref="IObjectStore.HeadAsync"/>.
    /// For readers that look an object up often and can live with changes made around OpenSMA
    /// (files edited in the folder store, uploads straight to an S3 service) being seen a moment
    /// late: the prompt player. The S3 API uses <see cref="IObjectStore.HeadAsync"/>, always exact.
    /// </summary>
    public static ValueTask<ObjectReadResult> HeadRecentAsync(this IObjectStore store, string bucket, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store is IRecentHeadSource recent
            ? recent.HeadRecentAsync(bucket, key, cancellationToken)
            : store.HeadAsync(bucket, key, cancellationToken);
    }
}

/// <summary>
/// Wraps a backend and keeps the last HEAD result of each object for <see cref="Freshness"/>, for
/// <see cref="HeadRecentAsync"/> only: every other call, <see cref="HeadAsync"/> included, goes
/// straight to the backend. A put or delete of an object through this store drops its entry once
/// the backend has returned, and creating a bucket drops every entry, so nothing written through
/// OpenSMA is hidden. An object that does not exist (or whose bucket does not) is kept too, with
/// the same rules. Changes made around this store (a file edited in the folder store, an upload
/// straight to the S3 service) are seen once the entry is older than <see cref="Freshness"/>.
/// </summary>
public sealed class HeadCachingObjectStore : IObjectStore, IRecentHeadSource, IDisposable
{
    /// <summary>The window used when none is configured.</summary>
    public static readonly TimeSpan DefaultFreshness = TimeSpan.FromSeconds(1);

    private readonly Dictionary<(string Bucket, string Key), Entry> _entries = [];
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly long _freshnessTicks;
    private readonly int _maxEntries;

    /// <summary>Grows on every write through this store; a HEAD that started before one is not kept.</summary>
    private long _writes;

    /// <param name="freshness">How long a HEAD result may be reused; zero: never (every call goes to the backend).</param>
    /// <param name="time">The clock for <paramref name="freshness"/>; null: the system clock.</param>
    public HeadCachingObjectStore(IObjectStore inner, TimeSpan freshness, TimeProvider? time = null, int maxEntries = 10_000)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(freshness, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        Inner = inner;
        Freshness = freshness;
        _time = time ?? TimeProvider.System;
        _freshnessTicks = freshness == TimeSpan.Zero ? 0 : Math.Max(1, (long)(freshness.TotalSeconds * _time.TimestampFrequency));
        _maxEntries = maxEntries;
    }

    public IObjectStore Inner { get; }

    public TimeSpan Freshness { get; }

    public async ValueTask<ObjectReadResult> HeadRecentAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        if (_freshnessTicks == 0)
        {
            return await Inner.HeadAsync(bucket, key, cancellationToken).ConfigureAwait(false);
        }

        long writes;
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (_entries.TryGetValue((bucket, key), out var entry) && now - entry.ReadAt < _freshnessTicks)
            {
                return entry.Result;
            }

            writes = _writes;
        }

        var result = await Inner.HeadAsync(bucket, key, cancellationToken).ConfigureAwait(false);
        if (result.Status is ObjectStatus.Ok or ObjectStatus.NoSuchKey or ObjectStatus.NoSuchBucket)
        {
            lock (_gate)
            {
                // A write that finished while this HEAD was out may have changed the object: keep nothing.
                if (_writes == writes)
                {
                    if (_entries.Count >= _maxEntries)
                    {
                        _entries.Clear();
                    }

                    _entries[(bucket, key)] = new Entry(now, result);
                }
            }
        }

        return result;
    }

    public async ValueTask<ObjectWriteResult> PutAsync(string bucket, string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken)
    {
        try
        {
            return await Inner.PutAsync(bucket, key, content, metadata, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Forget(bucket, key);
        }
    }

    public async ValueTask<ObjectStatus> DeleteAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        try
        {
            return await Inner.DeleteAsync(bucket, key, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Forget(bucket, key);
        }
    }

    public async ValueTask<ObjectStatus> CreateBucketAsync(string bucket, CancellationToken cancellationToken)
    {
        try
        {
            return await Inner.CreateBucketAsync(bucket, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _writes++;
                _entries.Clear();
            }
        }
    }

    public ValueTask<ObjectReadResult> HeadAsync(string bucket, string key, CancellationToken cancellationToken) =>
        Inner.HeadAsync(bucket, key, cancellationToken);

    public ValueTask<ObjectReadResult> GetAsync(string bucket, string key, CancellationToken cancellationToken) =>
        Inner.GetAsync(bucket, key, cancellationToken);

    public ValueTask<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken cancellationToken) =>
        Inner.ListBucketsAsync(cancellationToken);

    public ValueTask<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken) =>
        Inner.BucketExistsAsync(bucket, cancellationToken);

    public ValueTask<ObjectListResult> ListAsync(string bucket, string? prefix, string? startAfter, int maxKeys, CancellationToken cancellationToken) =>
        Inner.ListAsync(bucket, prefix, startAfter, maxKeys, cancellationToken);

    public BucketAccess AccessOf(string bucket) => Inner.AccessOf(bucket);

    public void Dispose() => (Inner as IDisposable)?.Dispose();

    private void Forget(string bucket, string key)
    {
        lock (_gate)
        {
            _writes++;
            _entries.Remove((bucket, key));
        }
    }

    private sealed record Entry(long ReadAt, ObjectReadResult Result);
}
