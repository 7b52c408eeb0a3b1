using OpenSma.Aws;

namespace OpenSma.Speech.Polly;

/// <summary>Amazon Polly connection settings.</summary>
public sealed record PollyOptions
{
    /// <summary>AWS Region; also the signing region.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>Endpoint override (a VPC endpoint, a local emulator); default https://polly.{Region}.amazonaws.com.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>Signing credentials; null asks <see cref="FallbackCredentials"/> on each request.</summary>
    public AwsCredentials? Credentials { get; init; }

    /// <summary>Where credentials come from when none are configured: by default AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.</summary>
    public Func<AwsCredentials?> FallbackCredentials { get; init; } = AwsCredentials.FromEnvironment;

    /// <summary>Time one SynthesizeSpeech call may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    public Uri ResolveEndpoint() => Endpoint ?? new Uri($"https://polly.{Region}.amazonaws.com");
}
