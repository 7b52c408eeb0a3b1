using OpenSma.Storage.Resources;

namespace OpenSma.Host.Numbers;

/// <summary>
/// The resource store as serve's components see it, refreshing <see cref="OwnedNumbers"/> after
/// every write to a phone number (orders, releases, deletions, the lifecycle's own settling all
/// write through here), before the write's caller goes on. Everything else passes straight through.
/// </summary>
/// <param name="ownsInner">Whether disposing this store disposes <paramref name="inner"/> (it was made for it, not handed in).</param>
internal sealed class NumberWatchingStore(IResourceStore inner, OwnedNumbers owned, bool ownsInner) : IResourceStore, IAsyncDisposable
{
    public IResourceStore Inner => inner;

    public ValueTask<Stored<T>?> GetAsync<T>(string id, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T> => inner.GetAsync<T>(id, cancellationToken);

    public ValueTask<Stored<T>?> FindByKeyAsync<T>(string uniqueKey, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T> => inner.FindByKeyAsync<T>(uniqueKey, cancellationToken);

    public ValueTask<IReadOnlyList<Stored<T>>> ListAsync<T>(long afterSequence, int limit, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T> => inner.ListAsync<T>(afterSequence, limit, cancellationToken);

    public ValueTask<WriteResult> InsertAsync<T>(T document, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T> => WatchAsync(T.Kind, inner.InsertAsync(document, cancellationToken));

    public ValueTask<WriteResult> UpdateAsync<T>(T document, long expectedVersion, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T> => WatchAsync(T.Kind, inner.UpdateAsync(document, expectedVersion, cancellationToken));

    public ValueTask<WriteResult> DeleteAsync<T>(string id, long? expectedVersion, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T> => WatchAsync(T.Kind, inner.DeleteAsync<T>(id, expectedVersion, cancellationToken));

    public ValueTask<IReadOnlyList<WriteResult>> InsertWithinQuotaAsync<T>(IReadOnlyList<T> documents, int limit, Func<T, bool> counted, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T> => WatchAsync(T.Kind, inner.InsertWithinQuotaAsync(documents, limit, counted, cancellationToken));

    public ValueTask<long> CountInWindowAsync(string key, long window, CancellationToken cancellationToken) =>
        inner.CountInWindowAsync(key, window, cancellationToken);

    public ValueTask<IReadOnlyList<ResourceTag>> GetTagsAsync(string resourceArn, CancellationToken cancellationToken) =>
        inner.GetTagsAsync(resourceArn, cancellationToken);

    public ValueTask PutTagsAsync(string resourceArn, IReadOnlyList<ResourceTag> tags, CancellationToken cancellationToken) =>
        inner.PutTagsAsync(resourceArn, tags, cancellationToken);

    public ValueTask RemoveTagsAsync(string resourceArn, IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
        inner.RemoveTagsAsync(resourceArn, keys, cancellationToken);

    public ValueTask<string?> GetSettingAsync(string name, CancellationToken cancellationToken) => inner.GetSettingAsync(name, cancellationToken);

    public ValueTask PutSettingAsync(string name, string value, CancellationToken cancellationToken) =>
        inner.PutSettingAsync(name, value, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (!ownsInner)
        {
            return;
        }

        switch (inner)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    private ValueTask<TResult> WatchAsync<TResult>(string kind, ValueTask<TResult> write) =>
        kind == PhoneNumber.Kind ? RefreshAfterAsync(write) : write;

    // Refreshed whatever the outcome: a failed conditional write may still mean someone else changed
    // the number. Not cancelled with the request: the write may have landed even if the caller left.
    private async ValueTask<TResult> RefreshAfterAsync<TResult>(ValueTask<TResult> write)
    {
        try
        {
            return await write.ConfigureAwait(false);
        }
        finally
        {
            await owned.RefreshAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
