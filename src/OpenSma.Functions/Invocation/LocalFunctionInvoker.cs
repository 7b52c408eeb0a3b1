using OpenSma.Engine.Invocation;
using OpenSma.Functions.Hosting;

namespace OpenSma.Functions.Invocation;

/// <summary>Runs an SMA event through a local function and maps the outcome to the engine's terms.</summary>
internal sealed class LocalFunctionInvoker : IHandlerInvoker
{
    private readonly FunctionHost _host;

    public LocalFunctionInvoker(FunctionHost host)
    {
        _host = host;
    }

    public async ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var result = await _host.InvokeAsync(request.Endpoint, request.EventJson, request.TransactionId, cancellationToken)
            .ConfigureAwait(false);
        var logs = result.Logs.Select(l => l.ToString()).ToArray();
        return result.Status switch
        {
            FunctionInvocationStatus.Succeeded => InvocationResult.Ok(result.Payload, logs),
            _ => InvocationResult.Failed(ToOutcome(result.Status), $"{result.ErrorType}: {result.ErrorMessage}", logs),
        };
    }

    internal static InvocationOutcome ToOutcome(FunctionInvocationStatus status) => status switch
    {
        FunctionInvocationStatus.Succeeded => InvocationOutcome.Ok,
        FunctionInvocationStatus.FunctionError or FunctionInvocationStatus.InitError => InvocationOutcome.FunctionError,
        FunctionInvocationStatus.TimedOut => InvocationOutcome.Timeout,
        FunctionInvocationStatus.RuntimeExited => InvocationOutcome.Unreachable,
        FunctionInvocationStatus.Throttled => InvocationOutcome.Throttled,
        _ => InvocationOutcome.Rejected,
    };
}
