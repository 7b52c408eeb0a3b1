using System.Diagnostics.CodeAnalysis;
using OpenSma.Engine.Runtime;

namespace OpenSma.Engine.Invocation;

/// <summary>
/// Marks every invocation through the wrapped resolver as real-time outside work, so a run on
/// virtual time waits for the handler (an HTTP call, a local Lambda process) instead of letting the
/// engine's virtual attempt timeout expire while the handler is still working.
/// </summary>
public sealed class ActivityTrackingResolver(IHandlerEndpointResolver inner, ActivityTracker activity) : IHandlerEndpointResolver
{
    public bool TryResolve(string endpoint, [NotNullWhen(true)] out IHandlerInvoker? invoker)
    {
        if (!inner.TryResolve(endpoint, out var resolved))
        {
            invoker = null;
            return false;
        }

        invoker = new Tracked(resolved, activity);
        return true;
    }

    private sealed class Tracked(IHandlerInvoker inner, ActivityTracker activity) : IHandlerInvoker
    {
        public async ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
        {
            using var busy = activity.BeginExternal();
            return await inner.InvokeAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
