namespace OpenSma.Storage.Objects;

public enum ObjectStatus
{
    Ok,
    NoSuchBucket,
    NoSuchKey,
    AccessDenied,
    InvalidName,
    BucketExists,
    Error,
}

public sealed record ObjectMetadata(string ContentType, IReadOnlyDictionary<string, string> UserMetadata)
{
    public const string DefaultContentType = "binary/octet-stream";

    public static ObjectMetadata Wav(IReadOnlyDictionary<string, string>? user = null) =>
        new("audio/wav", user ?? new Dictionary<string, string>());

    public static ObjectMetadata Default { get; } = new(DefaultContentType, new Dictionary<string, string>());
}

/// <summary>One object as a listing or a head sees it.</summary>
public sealed record ObjectInfo(string Key, long Size, string ETag, DateTimeOffset LastModified);

public sealed record BucketInfo(string Name, DateTimeOffset CreationDate);

/// <summary>What SIP media applications may do with a bucket; S3 clients of OpenSMA are not limited by it.</summary>
public sealed record BucketAccess(bool SmaRead, bool SmaWrite)
{
    public static BucketAccess Full { get; } = new(true, true);
}

public sealed record ObjectReadResult(ObjectStatus Status, ReadOnlyMemory<byte> Content, string? ETag, string? Message)
{
    /// <summary>Size, ETag and modification time when the object was found.</summary>
    public ObjectInfo? Info { get; init; }

    /// <summary>Content type and user metadata when the object was found.</summary>
    public ObjectMetadata? Metadata { get; init; }
}

public sealed record ObjectWriteResult(ObjectStatus Status, string? ETag, string? Message);

public sealed record ObjectListResult(ObjectStatus Status, IReadOnlyList<ObjectInfo> Objects, bool IsTruncated, string? Message)
{
    public static ObjectListResult Failed(ObjectStatus status, string message) => new(status, [], false, message);
}
