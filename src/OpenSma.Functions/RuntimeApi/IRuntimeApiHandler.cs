using Microsoft.AspNetCore.Http;

namespace OpenSma.Functions.RuntimeApi;

/// <summary>What one sandbox answers to the Lambda Runtime API calls of its runtime process.</summary>
internal interface IRuntimeApiHandler
{
    /// <summary>Long-poll for the next event; null when the sandbox is shutting down.</summary>
    ValueTask<RuntimeInvocation?> NextAsync(CancellationToken cancellationToken);

    RuntimeApiAnswer Respond(string requestId, byte[] body);

    RuntimeApiAnswer ReportError(string requestId, byte[] body, string? errorType);

    RuntimeApiAnswer ReportInitError(byte[] body, string? errorType);
}

/// <summary>The event handed to the runtime with the headers Lambda sends alongside it.</summary>
internal sealed record RuntimeInvocation(
    string RequestId,
    ReadOnlyMemory<byte> Payload,
    long DeadlineUnixMilliseconds,
    string InvokedFunctionArn,
    string TraceId,
    string? ClientContext);

/// <summary>How the Runtime API answers a post: 202 accepted, or an error in Lambda's shape.</summary>
internal readonly record struct RuntimeApiAnswer(int StatusCode, string? ErrorType, string? ErrorMessage)
{
    public static RuntimeApiAnswer Accepted => new(StatusCodes.Status202Accepted, null, null);

    public static RuntimeApiAnswer InvalidRequestId(string id) =>
        new(StatusCodes.Status400BadRequest, "InvalidRequestID", $"Invalid request ID: \"{id}\"");

    public static RuntimeApiAnswer InvalidState(string message) =>
        new(StatusCodes.Status403Forbidden, "InvalidStateTransition", message);
}
