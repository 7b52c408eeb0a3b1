namespace OpenSma.Functions.Remote;

/// <summary>Where and as whom to invoke functions that are not local: real AWS Lambda or a compatible endpoint.</summary>
public sealed class RemoteLambdaOptions
{
    /// <summary>The Lambda endpoint; null means <c>https://lambda.{region}.amazonaws.com</c> of the ARN's region.</summary>
    public Uri? Endpoint { get; set; }

    public string AccessKeyId { get; set; } = "";

    public string SecretAccessKey { get; set; } = "";

    public string? SessionToken { get; set; }

    /// <summary>Signing region when the ARN names none.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>The HTTP-level timeout of one Invoke call (the engine's own attempt timeout usually ends it first).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
