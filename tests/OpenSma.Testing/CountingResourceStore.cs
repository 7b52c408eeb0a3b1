using OpenSma.Storage.Resources;

namespace OpenSma.Testing;

/// <summary>Passes everything to a real store, counting the reads that reach it; forwards its change signal as a wrapper should.</summary>
public sealed class CountingResourceStore(IResourceStore inner) : IResourceStore, IResourceChangeSignal, IDisposable
{
    private int _reads;

    public int Reads => Volatile.Read(ref _reads);

    public long ChangeVersion(string kind) => ((IResourceChangeSignal)inner).ChangeVersion(kind);

    /// <summary>Runs after each GetAsync has read its row and before it returns (tests that race a read against a write).</summary>
    public Func<Task>? AfterGet { get; set; }

    public ValueTask<Stored<T>?> GetAsync<T>(string id, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>
    {
        Interlocked.Increment(ref _reads);
        return AfterGet is { } after ? GetThenAsync<T>(id, after, cancellationToken) : inner.GetAsync<T>(id, cancellationToken);
    }

    public ValueTask<Stored<T>?> FindByKeyAsync<T>(string uniqueKey, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>
    {
        Interlocked.Increment(ref _reads);
        return inner.FindByKeyAsync<T>(uniqueKey, cancellationToken);
    }

    public ValueTask<IReadOnlyList<Stored<T>>> ListAsync<T>(long afterSequence, int limit, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>
    {
        Interlocked.Increment(ref _reads);
        return inner.ListAsync<T>(afterSequence, limit, cancellationToken);
    }

    public ValueTask<WriteResult> InsertAsync<T>(T document, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T> => inner.InsertAsync(document, cancellationToken);

    public ValueTask<WriteResult> UpdateAsync<T>(T document, long expectedVersion, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T> => inner.UpdateAsync(document, expectedVersion, cancellationToken);

    public ValueTask<WriteResult> DeleteAsync<T>(string id, long? expectedVersion, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T> => inner.DeleteAsync<T>(id, expectedVersion, cancellationToken);

    public ValueTask<IReadOnlyList<WriteResult>> InsertWithinQuotaAsync<T>(IReadOnlyList<T> documents, int limit, Func<T, bool> counted, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T> => inner.InsertWithinQuotaAsync(documents, limit, counted, cancellationToken);

    public ValueTask<long> CountInWindowAsync(string key, long window, CancellationToken cancellationToken) =>
        inner.CountInWindowAsync(key, window, cancellationToken);

    public ValueTask<IReadOnlyList<ResourceTag>> GetTagsAsync(string resourceArn, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        return inner.GetTagsAsync(resourceArn, cancellationToken);
    }

    public ValueTask PutTagsAsync(string resourceArn, IReadOnlyList<ResourceTag> tags, CancellationToken cancellationToken) =>
        inner.PutTagsAsync(resourceArn, tags, cancellationToken);

    public ValueTask RemoveTagsAsync(string resourceArn, IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
        inner.RemoveTagsAsync(resourceArn, keys, cancellationToken);

    public ValueTask<string?> GetSettingAsync(string name, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        return inner.GetSettingAsync(name, cancellationToken);
    }

    public ValueTask PutSettingAsync(string name, string value, CancellationToken cancellationToken) =>
        inner.PutSettingAsync(name, value, cancellationToken);

    public void Dispose() => (inner as IDisposable)?.Dispose();

    private async ValueTask<Stored<T>?> GetThenAsync<T>(string id, Func<Task> after, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>
    {
        var value = await inner.GetAsync<T>(id, cancellationToken);
        await after();
        return value;
    }
}
