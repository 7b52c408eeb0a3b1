using System.Collections.Concurrent;
using OpenSma.Engine.Control;

namespace OpenSma.ControlPlane.Tests.Infrastructure;

/// <summary>A test double of the engine seam: records what the control plane asked for and
/// answers with a programmable result.</summary>
public sealed class RecordingCallControl : ICallControl
{
    public ConcurrentQueue<OutboundCallRequest> Created { get; } = new();

    public ConcurrentQueue<(string SmaId, string TransactionId, IReadOnlyDictionary<string, string> Arguments)> Updated { get; } = new();

    /// <summary>Transactions UpdateCallAsync knows; others answer NotFound like a finished call.</summary>
    public ConcurrentDictionary<string, string> LiveTransactions { get; } = new();

    public CallControlResult? NextCreateResult { get; set; }

    public ValueTask<CallControlResult> CreateCallAsync(OutboundCallRequest request, CancellationToken cancellationToken)
    {
        Created.Enqueue(request);
        if (NextCreateResult is { } result)
        {
            return ValueTask.FromResult(result);
        }

        var transactionId = Guid.NewGuid().ToString();
        LiveTransactions[transactionId] = request.Application.SipMediaApplicationId;
        return ValueTask.FromResult(CallControlResult.Accepted(transactionId));
    }

    public ValueTask<CallControlResult> UpdateCallAsync(
        string sipMediaApplicationId,
        string transactionId,
        IReadOnlyDictionary<string, string> arguments,
        CancellationToken cancellationToken)
    {
        Updated.Enqueue((sipMediaApplicationId, transactionId, arguments));
        return ValueTask.FromResult(
            LiveTransactions.TryGetValue(transactionId, out var sma) && sma == sipMediaApplicationId
                ? CallControlResult.Accepted(transactionId)
                : CallControlResult.Fail(CallControlStatus.NotFound, $"Transaction {transactionId} not found."));
    }
}
