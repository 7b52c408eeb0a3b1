namespace OpenSma.Storage.Resources;

public static class ResourceStoreExtensions
{
    private const int MaxAttempts = 16;

    /// <summary>
    /// Reads, changes and writes one document, retrying when another writer got there first.
    /// <paramref name="mutate"/> returns null to leave the document as it is.
    /// </summary>
    public static async ValueTask<MutateResult<T>> MutateAsync<T>(
        this IResourceStore store,
        string id,
        Func<T, T?> mutate,
        CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(mutate);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var current = await store.GetAsync<T>(id, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                return new MutateResult<T>(WriteStatus.NotFound, null);
            }

            var changed = mutate(current.Value);
            if (changed is null)
            {
                return new MutateResult<T>(WriteStatus.Ok, current.Value);
            }

            var result = await store.UpdateAsync(changed, current.Version, cancellationToken).ConfigureAwait(false);
            switch (result.Status)
            {
                case WriteStatus.Ok:
                    return new MutateResult<T>(WriteStatus.Ok, changed);
                case WriteStatus.VersionConflict:
                    continue;
                default:
                    return new MutateResult<T>(result.Status, null);
            }
        }

        return new MutateResult<T>(WriteStatus.VersionConflict, null);
    }

    /// <summary>Every document of a kind, in creation order.</summary>
    public static ValueTask<IReadOnlyList<Stored<T>>> ListAllAsync<T>(this IResourceStore store, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.ListAsync<T>(0, int.MaxValue, cancellationToken);
    }
}

public sealed record MutateResult<T>(WriteStatus Status, T? Value)
    where T : class
{
    public bool IsOk => Status == WriteStatus.Ok;
}
