namespace OpenSma.ControlPlane.S3;

/// <summary>Settings of the S3-compatible endpoint that <c>opensma serve</c> exposes over its object store.</summary>
public sealed record S3ApiOptions
{
    /// <summary>Signature checking; the same modes and keys as the Chime SDK Voice API.</summary>
    public SigV4Options SigV4 { get; init; } = new();

    /// <summary>The region clients sign for and GetBucketLocation reports.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>Host suffix for virtual-hosted-style requests: with <c>s3.localhost</c>, the host
    /// <c>prompts.s3.localhost</c> addresses the bucket <c>prompts</c>. Null: path-style only.</summary>
    public string? VirtualHostSuffix { get; init; } = "s3.localhost";

    /// <summary>The largest object a PutObject may carry (bodies are held in memory).</summary>
    public long MaxObjectBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>The owner id ListBuckets reports.</summary>
    public string OwnerId { get; init; } = "opensma";
}
