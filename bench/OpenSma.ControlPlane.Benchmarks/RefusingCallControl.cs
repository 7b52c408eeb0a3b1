using OpenSma.Engine.Control;

namespace OpenSma.ControlPlane.Benchmarks;

/// <summary>The read benchmarks place no calls; any call request is refused.</summary>
internal sealed class RefusingCallControl : ICallControl
{
    public ValueTask<CallControlResult> CreateCallAsync(OutboundCallRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(CallControlResult.Fail(CallControlStatus.BadRequest, "The benchmark host places no calls."));

    public ValueTask<CallControlResult> UpdateCallAsync(string sipMediaApplicationId, string transactionId, IReadOnlyDictionary<string, string> arguments, CancellationToken cancellationToken) =>
        ValueTask.FromResult(CallControlResult.Fail(CallControlStatus.NotFound, "The benchmark host has no calls."));
}
