namespace OpenSma.Engine.Control;

/// <summary>
/// What the control plane asks of the engine: place a call through an SMA
/// (CreateSipMediaApplicationCall) and deliver an update to a running transaction
/// (UpdateSipMediaApplicationCall).
/// </summary>
public interface ICallControl
{
    ValueTask<CallControlResult> CreateCallAsync(OutboundCallRequest request, CancellationToken cancellationToken);

    ValueTask<CallControlResult> UpdateCallAsync(
        string sipMediaApplicationId,
        string transactionId,
        IReadOnlyDictionary<string, string> arguments,
        CancellationToken cancellationToken);
}

/// <summary>The SMA a call runs under, as the engine needs it.</summary>
/// <param name="Endpoint">The SMA's <c>Endpoints[0].LambdaArn</c>: a Lambda ARN or an http(s) URL.</param>
public sealed record SipMediaApplicationRef(
    string SipMediaApplicationId,
    string AwsAccountId,
    string AwsRegion,
    string Endpoint);

public sealed record OutboundCallRequest(
    SipMediaApplicationRef Application,
    string FromPhoneNumber,
    string ToPhoneNumber,
    IReadOnlyDictionary<string, string>? SipHeaders,
    IReadOnlyDictionary<string, string>? ArgumentsMap);

public enum CallControlStatus
{
    Accepted,
    /// <summary>The transaction is unknown, finished, or belongs to another SMA.</summary>
    NotFound,
    /// <summary>The request is invalid (message says which field).</summary>
    BadRequest,
    /// <summary>A concurrency or rate quota was hit.</summary>
    Throttled,
    ResourceLimitExceeded,
}

public sealed record CallControlResult(CallControlStatus Status, string? TransactionId, string? Message)
{
    public static CallControlResult Accepted(string transactionId) => new(CallControlStatus.Accepted, transactionId, null);

    public static CallControlResult Fail(CallControlStatus status, string message) => new(status, null, message);
}
