using System.Globalization;
using OpenSma.Aws;
using OpenSma.Speech.Espeak;
using OpenSma.Speech.Polly;

namespace OpenSma.Speech;

/// <summary>
/// The <c>Speech</c> section of opensma.json:
/// <code>
/// "Speech": { "Backend": "espeak-ng" | "polly" | "none", "CacheMegabytes": 64,
///             "Espeak": { "Executable": "espeak-ng", "TimeoutSeconds": 15, "MaxProcesses": 4 },
///             "Polly": { "Region": "us-east-1", "Endpoint": "https://polly.us-east-1.amazonaws.com",
///                        "AccessKeyId": "...", "SecretAccessKey": "...", "SessionToken": "...", "TimeoutSeconds": 10 } }
/// </code>
/// </summary>
public sealed record SpeechOptions
{
    public const string EspeakBackend = "espeak-ng";
    public const string PollyBackend = "polly";
    public const string NoBackend = "none";

    public string Backend { get; init; } = EspeakBackend;

    /// <summary>Memory for synthesized audio shared by all calls.</summary>
    public long CacheBytes { get; init; } = 64L * 1024 * 1024;

    public EspeakOptions Espeak { get; init; } = new();

    public PollyOptions Polly { get; init; } = new();

    /// <summary>
    /// Reads the section through a key lookup (<c>key =&gt; configuration["Speech:" + key]</c>), so
    /// this project needs no configuration package. Bad values throw with the key named, at startup.
    /// </summary>
    public static SpeechOptions Read(Func<string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        var defaults = new SpeechOptions();
        var backend = setting("Backend")?.ToLowerInvariant() ?? defaults.Backend;
        if (backend is not (EspeakBackend or PollyBackend or NoBackend))
        {
            throw new InvalidOperationException($"Speech:Backend '{backend}' is not espeak-ng, polly or none.");
        }

        var accessKey = setting("Polly:AccessKeyId");
        var secret = setting("Polly:SecretAccessKey");
        if ((accessKey is null) != (secret is null))
        {
            throw new InvalidOperationException("Speech:Polly:AccessKeyId and Speech:Polly:SecretAccessKey go together.");
        }

        var endpoint = setting("Polly:Endpoint");
        if (endpoint is not null && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
        {
            throw new InvalidOperationException($"Speech:Polly:Endpoint '{endpoint}' is not an absolute URL.");
        }

        return defaults with
        {
            Backend = backend,
            CacheBytes = Number(setting, "CacheMegabytes") is { } megabytes ? megabytes * 1024 * 1024 : defaults.CacheBytes,
            Espeak = defaults.Espeak with
            {
                Executable = setting("Espeak:Executable") ?? defaults.Espeak.Executable,
                Timeout = Number(setting, "Espeak:TimeoutSeconds") is { } seconds ? TimeSpan.FromSeconds(seconds) : defaults.Espeak.Timeout,
                MaxConcurrentProcesses = (int?)Number(setting, "Espeak:MaxProcesses") ?? defaults.Espeak.MaxConcurrentProcesses,
            },
            Polly = defaults.Polly with
            {
                Region = setting("Polly:Region") ?? defaults.Polly.Region,
                Endpoint = endpoint is null ? null : new Uri(endpoint),
                Credentials = accessKey is null ? null : new AwsCredentials(accessKey, secret!, setting("Polly:SessionToken")),
                Timeout = Number(setting, "Polly:TimeoutSeconds") is { } timeout ? TimeSpan.FromSeconds(timeout) : defaults.Polly.Timeout,
            },
        };
    }

    private static long? Number(Func<string, string?> setting, string key) =>
        setting(key) is not { } text ? null
        : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value
        : throw new InvalidOperationException($"Speech:{key} '{text}' is not a positive whole number.");
}
