namespace OpenSma.Storage.Objects;

/// <summary>Objects by bucket and key: prompts to play, recordings to keep.</summary>
public interface IObjectStore
{
    ValueTask<ObjectReadResult> GetAsync(string bucket, string key, CancellationToken cancellationToken);

    ValueTask<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken);

    /// <summary>The object's ETag and size without its content (Content stays empty).</summary>
    ValueTask<ObjectReadResult> HeadAsync(string bucket, string key, CancellationToken cancellationToken);

    ValueTask<ObjectWriteResult> PutAsync(
        string bucket,
        string key,
        ReadOnlyMemory<byte> content,
        ObjectMetadata metadata,
        CancellationToken cancellationToken);
}

public enum ObjectStatus
{
    Ok,
    NoSuchBucket,
    NoSuchKey,
    AccessDenied,
    InvalidName,
    Error,
}

public sealed record ObjectMetadata(string ContentType, IReadOnlyDictionary<string, string> UserMetadata)
{
    public static ObjectMetadata Wav(IReadOnlyDictionary<string, string>? user = null) =>
        new("audio/wav", user ?? new Dictionary<string, string>());
}

public sealed record ObjectReadResult(ObjectStatus Status, ReadOnlyMemory<byte> Content, string? ETag, string? Message);

public sealed record ObjectWriteResult(ObjectStatus Status, string? ETag, string? Message);
