namespace OpenSma.Storage.Objects;

/// <summary>
/// Which backend holds which bucket, and what SIP media applications may do with it
/// (the <c>Storage</c> section of opensma.json; docs/storage.md).
/// </summary>
public sealed record StorageOptions
{
    /// <summary>The name of the built-in folder backend.</summary>
    public const string FolderBackend = "folder";

    /// <summary>Where the folder backend keeps one folder per bucket; null: <c>&lt;data&gt;/buckets</c>.</summary>
    public string? FolderRoot { get; init; }

    /// <summary>Named S3 backends that buckets can be routed to.</summary>
    public IReadOnlyDictionary<string, S3BackendOptions> S3 { get; init; } = new Dictionary<string, S3BackendOptions>();

    /// <summary>Bucket name or pattern (<c>*</c> matches any run of characters) to its rule. An exact
    /// name wins over patterns; among patterns the longest wins.</summary>
    public IReadOnlyDictionary<string, BucketRule> Buckets { get; init; } = new Dictionary<string, BucketRule>();

    /// <summary>The backend of buckets that no rule names.</summary>
    public string DefaultBackend { get; init; } = FolderBackend;

    /// <summary>How long a prompt's HEAD (its ETag) is reused between plays; zero: a HEAD per play.
    /// Writes and deletes through OpenSMA are seen at once; files changed in the folder store by
    /// other means, or objects uploaded straight to an S3 service, after at most this long.</summary>
    public TimeSpan PromptHeadFreshness { get; init; } = HeadCachingObjectStore.DefaultFreshness;
}

/// <summary>How one bucket (or pattern of buckets) is stored and who may use it.</summary>
public sealed record BucketRule
{
    /// <summary><c>folder</c> or the name of an entry in <see cref="StorageOptions.S3"/>.</summary>
    public string? Backend { get; init; }

    /// <summary>False: PlayAudio and friends fail with "Cannot access S3 bucket or audio file."</summary>
    public bool SmaRead { get; init; } = true;

    /// <summary>False: recordings into the bucket fail as uploads without access do.</summary>
    public bool SmaWrite { get; init; } = true;
}

/// <summary>An S3-compatible service reached through AWSSDK.S3 (path-style addressing).</summary>
public sealed record S3BackendOptions
{
    /// <summary>The endpoint, e.g. <c>http://127.0.0.1:9000</c>; null: AWS S3 in <see cref="Region"/>.</summary>
    public string? ServiceUrl { get; init; }

    public string Region { get; init; } = "us-east-1";

    /// <summary>Null with <see cref="SecretAccessKey"/>: the SDK's default credential chain.</summary>
    public string? AccessKeyId { get; init; }

    public string? SecretAccessKey { get; init; }

    public bool ForcePathStyle { get; init; } = true;
}
