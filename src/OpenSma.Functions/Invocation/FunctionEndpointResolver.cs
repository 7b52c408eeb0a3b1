using System.Diagnostics.CodeAnalysis;
using OpenSma.Engine.Invocation;
using OpenSma.Functions.Hosting;
using OpenSma.Functions.Registry;

namespace OpenSma.Functions.Invocation;

/// <summary>
/// Serves SMA endpoints that are Lambda function ARNs (with or without a qualifier). The function
/// is looked up at each invocation, so an SMA may name a function deployed after it; an ARN
/// with no local function goes to remote Lambda when that is configured, else is rejected.
/// </summary>
public sealed class FunctionEndpointResolver : IHandlerEndpointResolver
{
    private readonly ArnInvoker _invoker;

    public FunctionEndpointResolver(FunctionHost host, IHandlerInvoker? remote)
    {
        _invoker = new ArnInvoker(host, new LocalFunctionInvoker(host), remote);
    }

    public bool TryResolve(string endpoint, [NotNullWhen(true)] out IHandlerInvoker? invoker)
    {
        invoker = endpoint is not null && LambdaArn.IsFunctionArn(endpoint) ? _invoker : null;
        return invoker is not null;
    }

    private sealed class ArnInvoker(FunctionHost host, IHandlerInvoker local, IHandlerInvoker? remote) : IHandlerInvoker
    {
        public ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
        {
            if (host.Registry.TryGet(request.Endpoint, out _) || remote is null)
                return local.InvokeAsync(request, cancellationToken);
            return remote.InvokeAsync(request, cancellationToken);
        }
    }
}
