using OpenSma.Engine.Virtual;

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

    public string SipMediaApplicationId { get; init; } = "local-sma";

    public string AwsAccountId { get; init; } = "111122223333";

    public string AwsRegion { get; init; } = "us-east-1";
}
