using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane;

/// <summary>Settings of the Chime SDK Voice API that <c>opensma serve</c> exposes.</summary>
public sealed record ControlPlaneOptions
{
    /// <summary>The account id put into ARNs and handed to handlers as <c>AwsAccountId</c>.</summary>
    public string AwsAccountId { get; init; } = "123456789012";

    /// <summary>The region put into ARNs of resources that have no region of their own.</summary>
    public string AwsRegion { get; init; } = "us-east-1";

    /// <summary>A path prefix the API is mounted under (the SDKs keep an endpoint's path).</summary>
    public string BasePath { get; init; } = "";

    /// <summary>The store to open when the host has not registered an <see cref="IResourceStore"/> itself.</summary>
    public ResourceStoreOptions? Store { get; init; }

    /// <summary>Whether the store this registration opens keeps read results in memory until a write
    /// (<see cref="CachedResourceStore"/>). Null: on for SQLite, which this process owns; off for
    /// PostgreSQL, which other servers may write too.</summary>
    public bool? CacheReads { get; init; }

    public SigV4Options SigV4 { get; init; } = new();

    /// <summary>Voice connectors get the outbound host name <c>&lt;id&gt;.&lt;suffix&gt;</c>; inbound SIP
    /// addressed to that host is routed through the connector (and RequestUriHostname rules).</summary>
    public string VoiceConnectorHostSuffix { get; init; } = "voiceconnector.opensma.local";

    public PhoneNumberOptions PhoneNumbers { get; init; } = new();

    public QuotaOptions Quotas { get; init; } = new();
}

public enum SigV4Mode
{
    /// <summary>No Authorization header is needed (curl-friendly local use).</summary>
    Off,
    /// <summary>The default: an Authorization header must be a well-formed SigV4 header; its signature is not checked.</summary>
    Dev,
    /// <summary>Signatures are verified against <see cref="SigV4Options.Credentials"/>.</summary>
    Strict,
}

public sealed record SigV4Options
{
    public SigV4Mode Mode { get; init; } = SigV4Mode.Dev;

    /// <summary>Access key id to secret access key, used in strict mode.</summary>
    public IReadOnlyDictionary<string, string> Credentials { get; init; } = new Dictionary<string, string>();

    /// <summary>How far <c>X-Amz-Date</c> may be from the server clock (AWS allows 5 minutes).</summary>
    public TimeSpan MaxClockSkew { get; init; } = TimeSpan.FromMinutes(5);
}

public sealed record PhoneNumberOptions
{
    /// <summary>How long an order stays <c>Processing</c> before its numbers are acquired (zero: at once).</summary>
    public TimeSpan OrderCompletionDelay { get; init; } = TimeSpan.Zero;

    /// <summary>How long a deleted number stays restorable in the deletion queue (AWS: 7 days).</summary>
    public TimeSpan DeletionRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>The numbers SearchAvailablePhoneNumbers offers.</summary>
    public IReadOnlyList<PhoneNumberPool> Pools { get; init; } = PhoneNumberPool.Defaults;
}

/// <summary>A block of consecutive numbers: <paramref name="Prefix"/> followed by a counter.</summary>
/// <param name="Prefix">The E.164 digits before the counter, e.g. <c>+1206555</c>.</param>
/// <param name="First">The first counter value, e.g. 100 for <c>+12065550100</c>.</param>
/// <param name="Count">How many numbers the pool holds.</param>
/// <param name="Digits">How many digits the counter has.</param>
/// <param name="Type"><c>Local</c> or <c>TollFree</c>.</param>
/// <param name="AreaCode">The area code (local) or toll-free prefix (toll-free) searches match.</param>
public sealed record PhoneNumberPool(
    string Country,
    string Type,
    string Prefix,
    int First,
    int Count,
    int Digits,
    string AreaCode,
    string? City = null,
    string? State = null)
{
    /// <summary>US pools in the 555-01xx block, which the North American plan reserves for fiction.</summary>
    public static IReadOnlyList<PhoneNumberPool> Defaults { get; } =
    [
        new("US", "Local", "+1206555", 100, 100, 4, "206", "Seattle", "WA"),
        new("US", "Local", "+1425555", 100, 100, 4, "425", "Bellevue", "WA"),
        new("US", "Local", "+1212555", 100, 100, 4, "212", "New York", "NY"),
        new("US", "Local", "+1415555", 100, 100, 4, "415", "San Francisco", "CA"),
        new("US", "Local", "+1312555", 100, 100, 4, "312", "Chicago", "IL"),
        new("US", "TollFree", "+1800555", 100, 100, 4, "800"),
        new("US", "TollFree", "+1833555", 100, 100, 4, "833"),
        new("US", "TollFree", "+1844555", 100, 100, 4, "844"),
        new("US", "TollFree", "+1855555", 100, 100, 4, "855"),
        new("US", "TollFree", "+1866555", 100, 100, 4, "866"),
        new("US", "TollFree", "+1877555", 100, 100, 4, "877"),
        new("US", "TollFree", "+1888555", 100, 100, 4, "888"),
    ];
}

/// <summary>Optional enforcement of the AWS default quotas (data-plane spec §9.4); off by default.</summary>
public sealed record QuotaOptions
{
    public bool Enabled { get; init; }

    public int MaxSipMediaApplications { get; init; } = 30;

    public int MaxTargetApplicationsPerSipRule { get; init; } = 25;

    public int MaxPhoneNumbers { get; init; } = 5;

    /// <summary>CreateSipMediaApplicationCall requests per second per Region.</summary>
    public int CreateCallsPerSecond { get; init; } = 1;

    /// <summary>UpdateSipMediaApplicationCall requests per second per Region.</summary>
    public int UpdateCallsPerSecond { get; init; } = 5;

    /// <summary>
    /// SMA active (concurrent) calls per account and Region (AWS: 10, a CallAndBridge counting 2).
    /// The engine enforces it (<c>EngineOptions.MaxActiveCalls</c>): over it,
    /// CreateSipMediaApplicationCall gets ResourceLimitExceededException, an inbound call gets 503
    /// and a CallAndBridge fails with ActionExecutionThrottled.
    /// </summary>
    public int MaxActiveCalls { get; init; } = 10;

    /// <summary>The older name of <see cref="MaxActiveCalls"/> (configuration key
    /// <c>MaxActiveCallsPerSipMediaApplication</c>), still accepted; it sets the same account-wide quota.</summary>
    public int MaxActiveCallsPerSipMediaApplication
    {
        get => MaxActiveCalls;
        init => MaxActiveCalls = value;
    }

    /// <summary>Calls per second one voice connector may carry (AWS: 1 per voice connector).</summary>
    public int VoiceConnectorCallsPerSecond { get; init; } = 1;

    /// <summary>Calls all voice connectors may carry at once (AWS: 10 per account and Region).</summary>
    public int MaxVoiceConnectorConcurrentCalls { get; init; } = 10;

    /// <summary>What the engine's <c>EngineOptions.MaxActiveCalls</c> gets: the limit when quotas are on, null (none) when off.</summary>
    public int? ActiveCallLimit => Enabled ? MaxActiveCallsPerSipMediaApplication : null;

    /// <summary>What <c>TelephonyOptions.VoiceConnectorCallsPerSecond</c> gets: the per-connector call rate when quotas are on; null when off.</summary>
    public int? VoiceConnectorCallRateLimit => Enabled ? VoiceConnectorCallsPerSecond : null;

    /// <summary>What <c>TelephonyOptions.MaxVoiceConnectorConcurrentCalls</c> gets: the concurrent voice-connector call limit when quotas are on; null when off.</summary>
    public int? VoiceConnectorConcurrentCallLimit => Enabled ? MaxVoiceConnectorConcurrentCalls : null;
}
