using OpenSma.Functions.Logs;

namespace OpenSma.Functions.Invocation;

public enum FunctionInvocationStatus
{
    Succeeded,
    /// <summary>The handler threw or returned an error (Lambda's <c>X-Amz-Function-Error: Unhandled</c>).</summary>
    FunctionError,
    /// <summary>The runtime could not load the handler (syntax error, missing module, missing handler).</summary>
    InitError,
    /// <summary>The function (or init) timeout ran out, or the caller stopped waiting.</summary>
    TimedOut,
    /// <summary>The runtime process died during the invocation.</summary>
    RuntimeExited,
    /// <summary>Reserved concurrency is exhausted (Lambda's 429 TooManyRequestsException).</summary>
    Throttled,
    NotFound,
}

/// <param name="Payload">The handler's reply, or for failures the error document Lambda returns.</param>
public sealed record FunctionInvocationResult(
    string RequestId,
    FunctionInvocationStatus Status,
    ReadOnlyMemory<byte> Payload,
    string? ErrorType,
    string? ErrorMessage,
    IReadOnlyList<FunctionLogEntry> Logs)
{
    /// <summary>The version that ran (<c>X-Amz-Executed-Version</c>).</summary>
    public string Version { get; init; } = Registry.RegisteredFunction.Latest;
}
