using OpenSma.Engine.Speech;
using OpenSma.Engine.Virtual;
using OpenSma.Storage.Objects;

namespace OpenSma.Host.Calls;

/// <summary>Everything <c>opensma call</c> needs to place one virtual call.</summary>
internal sealed record VirtualCallOptions
{
    public required string Handler { get; init; }

    public string From { get; init; } = "+15559870000";

    public string To { get; init; } = "+15551230000";

    public VirtualParty Caller { get; init; } = new();

    public IReadOnlyList<(string Number, VirtualParty Party)> Callees { get; init; } = [];

    public IReadOnlyDictionary<string, string>? SipHeaders { get; init; }

    public bool Fast { get; init; }

    public bool Json { get; init; }

    public bool Verbose { get; init; }

    public string? RecordDirectory { get; init; }

    public required string DataDirectory { get; init; }

    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Where prompts are read and recordings written; null means the folder store under <see cref="DataDirectory"/>.</summary>
    public IObjectStore? Objects { get; init; }

    /// <summary>The text-to-speech backend for Speak and SpeakAndGetDigits; null leaves them unconfigured.</summary>
    public ISpeechSynthesizer? Speech { get; init; }

    public IObjectStore OpenObjects() => Objects ?? new FolderObjectStore(Path.Combine(DataDirectory, "buckets"));

    public string SipMediaApplicationId { get; init; } = "local-sma";

    public string AwsAccountId { get; init; } = "111122223333";

    public string AwsRegion { get; init; } = "us-east-1";
}
