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
        ArgumentNullException.ThrowIfNull(application);
        return StartInboundCall([application], legA, sipRuleId, trace);
    }

    /// <summary>
    /// A call matched a SIP rule with these target SMAs, highest priority first. NEW_INBOUND_CALL
    /// goes to the first target with room under the concurrency limits (the account/Region quota
    /// and the optional per-SMA limit); when it cannot be invoked
    /// (spec §9.1 failover) the next target gets it, and when every target fails the leg is
    /// released with 480. When no target has room the leg is released with
    /// <see cref="CapacityRefusalSipCode"/> and no event is sent: check
    /// <see cref="CanAcceptInboundCall"/> first to refuse before answering anything.
    /// </summary>
    public CallTransaction StartInboundCall(IReadOnlyList<SipMediaApplicationRef> targets, ICallLeg legA, string? sipRuleId, ITransactionTrace? trace = null)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(legA);
        if (targets.Count == 0)
        {
            throw new ArgumentException("A SIP rule names at least one target SMA.", nameof(targets));
        }

        foreach (var target in targets)
        {
            ArgumentNullException.ThrowIfNull(target, nameof(targets));
        }

        var first = FirstWithCapacity(targets, out var refusal);
        var transaction = new CallTransaction(_services, Guid.NewGuid().ToString(), [.. targets], Math.Max(first, 0), sipRuleId, trace ?? DefaultTrace);
        if (first < 0)
        {
            // Never listed and never counted: nothing to free when it ends.
            transaction.RefuseInbound(legA, CapacityRefusalSipCode, "no target SMA can take the call: " + refusal);
            return transaction;
        }

        _services.Registry.Add(transaction);
        transaction.StartInbound(legA);
        return transaction;
    }

    /// <summary>The SIP code an inbound leg is released with when no target SMA has room under the call limits.</summary>
    public const int CapacityRefusalSipCode = 503;

    /// <summary>
    /// Whether an inbound call to these targets would be taken now (some target is below both
    /// <see cref="EngineOptions.MaxActiveCalls"/> for its account and Region and
    /// <see cref="EngineOptions.MaxActiveCallsPerSipMediaApplication"/>). A SIP layer asks before it
    /// answers anything and replies 503 when false; <see cref="StartInboundCall(IReadOnlyList{SipMediaApplicationRef}, ICallLeg, string?, ITransactionTrace?)"/>
    /// still enforces the limit atomically if calls race.
    /// </summary>
    public bool CanAcceptInboundCall(IReadOnlyList<SipMediaApplicationRef> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        foreach (var target in targets)
        {
            if (_services.Registry.HasCapacity(target))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Calls (transactions) now running under the SMA (what the per-SMA limit counts).</summary>
    public int ActiveCalls(string sipMediaApplicationId) => _services.Registry.ActiveCalls(sipMediaApplicationId);

    /// <summary>
    /// Active calls of an account in a Region as <see cref="EngineOptions.MaxActiveCalls"/> counts
    /// them: one per transaction, one more per CallAndBridge LEG-B while it is dialed or bridged.
    /// </summary>
    public int ActiveCalls(string awsAccountId, string awsRegion) => _services.Registry.ActiveCalls(awsAccountId, awsRegion);

    public ValueTask<CallControlResult> CreateCallAsync(OutboundCallRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Application);
        if (!_services.Registry.TryAcquire(request.Application, out var refusal))
        {
            // A concurrency quota, not a rate: AWS answers ResourceLimitExceededException (400).
            return ValueTask.FromResult(CallControlResult.Fail(CallControlStatus.ResourceLimitExceeded, refusal));
        }

        var leg = _services.LegFactory.CreateOutbound(new OutboundLegRequest(request.FromPhoneNumber, request.ToPhoneNumber, request.SipHeaders));
        var transaction = new CallTransaction(_services, Guid.NewGuid().ToString(), [request.Application], 0, sipRuleId: null, DefaultTrace);
        _services.Registry.Add(transaction);
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

    private int FirstWithCapacity(IReadOnlyList<SipMediaApplicationRef> targets, out string? refusal)
    {
        refusal = null;
        for (var i = 0; i < targets.Count; i++)
        {
            if (_services.Registry.TryAcquire(targets[i], out refusal))
            {
                return i;
            }
        }

        return -1;
    }
}
