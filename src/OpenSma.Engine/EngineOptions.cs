namespace OpenSma.Engine;

/// <summary>Engine limits and timeouts; the defaults are the documented service values (spec §9).</summary>
public sealed record EngineOptions
{
    /// <summary>Time allowed for one handler attempt before it is retried.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Retries after a failed attempt.</summary>
    public int Retries { get; init; } = 1;

    /// <summary>Overall time for one invocation including the retry.</summary>
    public TimeSpan InvocationBudget { get; init; } = TimeSpan.FromSeconds(20);

    public int MaxInvocationsPerCall { get; init; } = 1000;

    /// <summary>
    /// Most calls (transactions) one SMA may run at once; null means no limit. Over it,
    /// CreateSipMediaApplicationCall gets ResourceLimitExceeded and an inbound call goes to the
    /// next SIP-rule target or is refused with 503. AWS's own quota is 10 per account and Region
    /// (spec §9.4); a self-hosted node sizes this to its handler instead.
    /// </summary>
    public int? MaxActiveCallsPerSipMediaApplication { get; init; }

    /// <summary>Account and Region reported in CallDetails when the SMA does not say.</summary>
    public string AwsAccountId { get; init; } = "111122223333";

    public string AwsRegion { get; init; } = "us-east-1";

    /// <summary>
    /// Whether the account owns a number (CallAndBridge caller ID, spec §7.10). Null accepts any E.164
    /// number, as a development engine with no number inventory must.
    /// </summary>
    public Func<string, bool>? IsOwnedNumber { get; init; }

    /// <summary>Memory for decoded prompts shared by all calls.</summary>
    public long PromptCacheBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Text-to-speech for Speak and SpeakAndGetDigits; null makes them fail as not configured.</summary>
    public Speech.ISpeechSynthesizer? Speech { get; init; }
}
