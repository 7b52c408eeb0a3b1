using System.Diagnostics.CodeAnalysis;

namespace OpenSma.Engine.Invocation;

/// <summary>
/// In-process handlers for tests and .NET users: an endpoint <c>inproc://NAME</c> maps to a
/// delegate that receives the event JSON and returns the reply JSON.
/// </summary>
public sealed class DelegateHandlerResolver : IHandlerEndpointResolver
{
    public const string Scheme = "inproc://";

    private readonly Dictionary<string, IHandlerInvoker> _handlers = new(StringComparer.Ordinal);

    public static string EndpointFor(string name) => Scheme + name;

    public void Register(string name, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<ReadOnlyMemory<byte>>> handler) =>
        _handlers[name] = new DelegateInvoker(handler);

    public bool TryResolve(string endpoint, [NotNullWhen(true)] out IHandlerInvoker? invoker)
    {
        invoker = null;
        return endpoint.StartsWith(Scheme, StringComparison.Ordinal)
            && _handlers.TryGetValue(endpoint[Scheme.Length..], out invoker);
    }

    private sealed class DelegateInvoker(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<ReadOnlyMemory<byte>>> handler) : IHandlerInvoker
    {
        public async ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
        {
            try
            {
                return InvocationResult.Ok(await handler(request.EventJson, cancellationToken));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return InvocationResult.Failed(InvocationOutcome.Timeout, "the handler did not reply in time");
            }
            catch (Exception ex)
            {
                return InvocationResult.Failed(InvocationOutcome.FunctionError, ex.GetType().Name + ": " + ex.Message);
            }
        }
    }
}
