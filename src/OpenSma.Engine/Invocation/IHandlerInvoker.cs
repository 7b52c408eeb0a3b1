namespace OpenSma.Engine.Invocation;

/// <summary>
/// Sends one event to an SMA handler and returns its raw reply. One call is one attempt: the
/// engine owns the 5 s attempt timeout, the single retry and the 20 s budget (spec §9.1), and
/// cancels the token when an attempt runs out of time.
/// Buffer lifetime: <see cref="InvocationRequest.EventJson"/> is rented by the engine and valid only
/// until the returned ValueTask completes; an invoker that needs the bytes later (a queue, a
/// background send) copies them. After a cancelled attempt the engine does not reuse the buffer, so
/// work that runs on past cancellation may still read it. <see cref="InvocationResult.Payload"/>
/// passes to the engine: do not reuse or change it after returning.
/// </summary>
public interface IHandlerInvoker
{
    ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken);
}

/// <summary>Picks the invoker for an SMA endpoint (a Lambda ARN, an http(s) URL, ...).</summary>
public interface IHandlerEndpointResolver
{
    /// <summary>Returns false when this resolver does not serve that kind of endpoint.</summary>
    bool TryResolve(string endpoint, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IHandlerInvoker? invoker);
}

/// <param name="Endpoint">The SMA endpoint as configured (Lambda ARN or URL).</param>
/// <param name="EventJson">The UTF-8 JSON event.</param>
public sealed record InvocationRequest(
    string Endpoint,
    ReadOnlyMemory<byte> EventJson,
    string TransactionId,
    int Sequence);

public enum InvocationOutcome
{
    /// <summary>The handler replied; <see cref="InvocationResult.Payload"/> holds the reply body.</summary>
    Ok,
    /// <summary>The handler ran but failed (Lambda FunctionError, HTTP 5xx, a thrown error).</summary>
    FunctionError,
    /// <summary>The invocation was refused (HTTP 4xx, access denied, unknown function).</summary>
    Rejected,
    /// <summary>Throttled (HTTP 429, reserved concurrency exhausted).</summary>
    Throttled,
    /// <summary>No reply in time.</summary>
    Timeout,
    /// <summary>The handler could not be reached (connection refused, process died).</summary>
    Unreachable,
}

/// <param name="Logs">Log lines the handler wrote during this invocation, if the invoker captures them.</param>
public sealed record InvocationResult(
    InvocationOutcome Outcome,
    ReadOnlyMemory<byte> Payload,
    string? Error,
    IReadOnlyList<string>? Logs = null)
{
    public static InvocationResult Ok(ReadOnlyMemory<byte> payload, IReadOnlyList<string>? logs = null) =>
        new(InvocationOutcome.Ok, payload, null, logs);

    public static InvocationResult Failed(InvocationOutcome outcome, string error, IReadOnlyList<string>? logs = null) =>
        new(outcome, ReadOnlyMemory<byte>.Empty, error, logs);
}
