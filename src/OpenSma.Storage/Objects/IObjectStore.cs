namespace OpenSma.Storage.Objects;

/// <summary>Objects by bucket and key: prompts to play, recordings to keep, anything S3 clients put.</summary>
public interface IObjectStore
{
    ValueTask<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken cancellationToken);

    ValueTask<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken);

    /// <summary>Creates a bucket; <see cref="ObjectStatus.BucketExists"/> when it is already there.</summary>
    ValueTask<ObjectStatus> CreateBucketAsync(string bucket, CancellationToken cancellationToken);

    ValueTask<ObjectReadResult> GetAsync(string bucket, string key, CancellationToken cancellationToken);

    /// <summary>The object's ETag, size and metadata without its content (Content stays empty).</summary>
    ValueTask<ObjectReadResult> HeadAsync(string bucket, string key, CancellationToken cancellationToken);

    ValueTask<ObjectWriteResult> PutAsync(
        string bucket,
        string key,
        ReadOnlyMemory<byte> content,
        ObjectMetadata metadata,
        CancellationToken cancellationToken);

    /// <summary>Removes an object; <see cref="ObjectStatus.NoSuchKey"/> when there was none.</summary>
    ValueTask<ObjectStatus> DeleteAsync(string bucket, string key, CancellationToken cancellationToken);

    /// <summary>Keys in ordinal order that start with <paramref name="prefix"/> and sort after
    /// <paramref name="startAfter"/>, at most <paramref name="maxKeys"/> of them.</summary>
    ValueTask<ObjectListResult> ListAsync(
        string bucket,
        string? prefix,
        string? startAfter,
        int maxKeys,
        CancellationToken cancellationToken);

    /// <summary>What SIP media applications may do with a bucket (an SMA's bucket policy, spec §11.1).</summary>
    BucketAccess AccessOf(string bucket);
}
