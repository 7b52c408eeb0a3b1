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

    /// <summary>
    /// The configuration's <c>VirtualPhones</c> section, as serve reads it: numbers CallAndBridge
    /// (or any outbound leg) rings as scripted virtual phones. A number also given by
    /// <see cref="Callees"/> is left to that <c>--callee</c> (the command line wins).
    /// </summary>
    public VirtualPhones VirtualPhones { get; init; } = VirtualPhones.None;

    /// <summary><see cref="VirtualPhones"/> without the numbers <c>--callee</c> scripts.</summary>
    public VirtualPhones ConfiguredPhonesNotOnCommandLine() => VirtualPhones.Without(Callees.Select(c => c.Number));

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
