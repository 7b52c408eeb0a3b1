namespace OpenSma.Storage.Resources;

/// <summary>
/// The configuration store: SIP media applications, SIP rules, phone numbers and their orders,
/// voice connectors and groups, tags and account settings. Documents are kept whole (one row per
/// resource) and every write is checked against the version the caller read, so concurrent
/// updates to one resource can never interleave.
/// </summary>
public interface IResourceStore
{
    ValueTask<Stored<T>?> GetAsync<T>(string id, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>;

    /// <summary>Finds the document whose <see cref="IResourceDocument{T}.UniqueKey"/> equals <paramref name="uniqueKey"/>.</summary>
    ValueTask<Stored<T>?> FindByKeyAsync<T>(string uniqueKey, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>;

    /// <summary>Documents of one kind in creation order, starting after <paramref name="afterSequence"/>.</summary>
    ValueTask<IReadOnlyList<Stored<T>>> ListAsync<T>(long afterSequence, int limit, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>;

    /// <summary>Inserts a new document; <see cref="WriteStatus.Conflict"/> when the id or unique key is taken.</summary>
    ValueTask<WriteResult> InsertAsync<T>(T document, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>;

    /// <summary>Replaces a document if it still has <paramref name="expectedVersion"/>.</summary>
    ValueTask<WriteResult> UpdateAsync<T>(T document, long expectedVersion, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>;

    /// <summary>Deletes a document (only at <paramref name="expectedVersion"/> when given).</summary>
    ValueTask<WriteResult> DeleteAsync<T>(string id, long? expectedVersion, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>;

    /// <summary>
    /// Inserts <paramref name="documents"/> (each if its id and unique key are free, as
    /// <see cref="InsertAsync{T}"/>) only while at most <paramref name="limit"/> documents of the kind
    /// satisfy <paramref name="counted"/>: a count quota. Counting and inserting are one step for
    /// every process sharing the database, so concurrent callers can never pass the limit together.
    /// Over the limit nothing is inserted and every result is <see cref="WriteStatus.QuotaExceeded"/>;
    /// inserts that count nothing (conflicts, documents <paramref name="counted"/> rejects) are never refused.
    /// The results are in the order of <paramref name="documents"/>.
    /// </summary>
    ValueTask<IReadOnlyList<WriteResult>> InsertWithinQuotaAsync<T>(IReadOnlyList<T> documents, int limit, Func<T, bool> counted, CancellationToken cancellationToken)
        where T : class, IResourceDocument<T>;

    /// <summary>
    /// Counts one event under <paramref name="key"/> in fixed window <paramref name="window"/> (for
    /// example the Unix second) and returns how many events that window holds now, this one
    /// included; every process sharing the database counts into the same windows. Only the newest
    /// window of a key is kept: an event for an older window (a server whose clock is behind) is
    /// counted in the newest. For rate limits.
    /// </summary>
    ValueTask<long> CountInWindowAsync(string key, long window, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<ResourceTag>> GetTagsAsync(string resourceArn, CancellationToken cancellationToken);

    /// <summary>Adds or overwrites tags by key.</summary>
    ValueTask PutTagsAsync(string resourceArn, IReadOnlyList<ResourceTag> tags, CancellationToken cancellationToken);

    ValueTask RemoveTagsAsync(string resourceArn, IReadOnlyList<string> keys, CancellationToken cancellationToken);

    ValueTask<string?> GetSettingAsync(string name, CancellationToken cancellationToken);

    ValueTask PutSettingAsync(string name, string value, CancellationToken cancellationToken);
}

/// <summary>A document as read from the store, with what a later conditional write needs.</summary>
/// <param name="Version">Starts at 1 and grows by one on every update.</param>
/// <param name="Sequence">Creation order; stable across updates, used as the pagination cursor.</param>
public sealed record Stored<T>(T Value, long Version, long Sequence);

public sealed record ResourceTag(string Key, string Value);

public enum WriteStatus
{
    Ok,
    NotFound,
    /// <summary>The id or unique key already exists.</summary>
    Conflict,
    /// <summary>Someone else wrote the document since it was read.</summary>
    VersionConflict,
    /// <summary>The insert would have taken a count quota past its limit; nothing was written (<see cref="IResourceStore.InsertWithinQuotaAsync{T}"/>).</summary>
    QuotaExceeded,
}

public readonly record struct WriteResult(WriteStatus Status, long Version)
{
    public bool IsOk => Status == WriteStatus.Ok;
}
