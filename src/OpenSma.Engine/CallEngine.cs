using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenSma.Engine.Control;
using OpenSma.Engine.Invocation;
using OpenSma.Engine.Legs;
using OpenSma.Engine.Runtime;
using OpenSma.Engine.Transactions;
using OpenSma.Storage.Objects;

namespace OpenSma.Engine;

/// <summary>
/// The call-transaction engine: starts transactions for inbound and outbound calls, delivers
/// updates to them, and keeps the node's directory of live transactions.
/// </summary>
public sealed class CallEngine : ICallControl
{
    private readonly EngineServices _services;

    public CallEngine(
        EngineOptions options,
        TimeProvider time,
        IObjectStore objects,
        ICallLegFactory legFactory,
        IEnumerable<IHandlerEndpointResolver> resolvers,
        ILoggerFactory? loggerFactory = null,
        ActivityTracker? activity = null)
    {
        _services = new EngineServices(
            options,
            time,
            objects,
            legFactory,
            [.. resolvers],
            (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("OpenSma.Engine"),
            activity);
    }

    /// <summary>Busy while any transaction has work queued or running; the virtual clock waits on it.</summary>
    public ActivityTracker Activity => _services.Activity;

    public int ActiveTransactions => _services.Registry.Count;

    public TimeProvider Time => _services.Time;

    /// <summary>Observes every transaction started without its own trace.</summary>
    public ITransactionTrace? DefaultTrace { get; set; }

    public IReadOnlyCollection<CallTransaction> Transactions => _services.Registry.Snapshot();

    public bool TryGetTransaction(string transactionId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CallTransaction? transaction) =>
        _services.Registry.TryGet(transactionId, out transaction);

    /// <summary>A call arrived (SIP rule matched, or a virtual caller): NEW_INBOUND_CALL goes out.</summary>
    public CallTransaction StartInboundCall(SipMediaApplicationRef application, ICallLeg legA, string? sipRuleId, ITransactionTrace? trace = null)
    {
        ArgumentNullException.ThrowIfNull(legA);
        var transaction = Create(application, sipRuleId, trace);
        transaction.StartInbound(legA);
        return transaction;
    }

    public ValueTask<CallControlResult> CreateCallAsync(OutboundCallRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var leg = _services.LegFactory.CreateOutbound(new OutboundLegRequest(request.FromPhoneNumber, request.ToPhoneNumber, request.SipHeaders));
        var transaction = Create(request.Application, sipRuleId: null, trace: null);
        transaction.StartOutbound(leg);
        return ValueTask.FromResult(CallControlResult.Accepted(transaction.TransactionId));
    }

    public ValueTask<CallControlResult> UpdateCallAsync(
        string sipMediaApplicationId,
        string transactionId,
        IReadOnlyDictionary<string, string> arguments,
        CancellationToken cancellationToken)
    {
        if (!_services.Registry.TryGet(transactionId, out var transaction)
            || transaction.Application.SipMediaApplicationId != sipMediaApplicationId)
        {
            return ValueTask.FromResult(CallControlResult.Fail(
                CallControlStatus.NotFound,
                $"Transaction {transactionId} was not found for SIP media application {sipMediaApplicationId}."));
        }

        transaction.RequestUpdate(arguments);
        return ValueTask.FromResult(CallControlResult.Accepted(transactionId));
    }

    private CallTransaction Create(SipMediaApplicationRef application, string? sipRuleId, ITransactionTrace? trace)
    {
        ArgumentNullException.ThrowIfNull(application);
        var transaction = new CallTransaction(_services, Guid.NewGuid().ToString(), application, sipRuleId, trace ?? DefaultTrace);
        _services.Registry.Add(transaction);
        return transaction;
    }
}
