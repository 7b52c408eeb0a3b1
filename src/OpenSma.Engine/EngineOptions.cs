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

    /// <summary>
    /// For runs on virtual time whose handlers work in real time (an HTTP endpoint, a local
    /// function process): the clock stands still from the moment an event is sent until its reply
    /// is back on the transaction's mailbox, so the virtual attempt timeout cannot expire while the
    /// handler works. Off (the default), a handler slower than <see cref="AttemptTimeout"/> of
    /// virtual time is timed out like any other.
    /// </summary>
    public bool ClockWaitsForHandlers { get; init; }

    public int MaxInvocationsPerCall { get; init; } = 1000;

    /// <summary>
    /// The AWS quota "SMA active (concurrent) calls per account per Region" (spec §9.4; AWS default
    /// 10): the calls running under all SMAs of one account and Region, where a transaction counts
    /// one and each CallAndBridge LEG-B counts one more from the moment it is dialed until it ends
    /// (spec §7.10: a bridged call counts as two). Null means no limit. Over it,
    /// CreateSipMediaApplicationCall gets ResourceLimitExceeded, an inbound call is refused with 503
    /// (no SIP-rule target can take it, since they share the count unless their SMAs are in other
    /// Regions), and a CallAndBridge fails with ActionExecutionThrottled before dialing.
    /// </summary>
    public int? MaxActiveCalls { get; init; }

    /// <summary>
    /// An extra, node-local limit that AWS does not have: most calls (transactions; a bridged call
    /// counts once) one SMA may run at once; null means no limit. Over it,
    /// CreateSipMediaApplicationCall gets ResourceLimitExceeded and an inbound call goes to the next
    /// SIP-rule target or is refused with 503. A self-hosted node can size it to one SMA's handler;
    /// the AWS quota itself is <see cref="MaxActiveCalls"/>.
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
