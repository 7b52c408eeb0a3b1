using Microsoft.Extensions.Logging;
using OpenSma.Engine.Contracts;
using OpenSma.Engine.Control;
using OpenSma.Engine.Legs;
using OpenSma.Engine.Runtime;

namespace OpenSma.Engine.Transactions;

/// <summary>
/// One SMA transaction: an actor whose mailbox receives every input (handler replies, leg reports,
/// API updates, timers, action completions) and applies them in order (spec §5). Split by concern:
/// this file holds state and start-up, the partial files the event pipeline, the action list and
/// leg reports.
/// </summary>
public sealed partial class CallTransaction : IMailboxOwner
{
    private readonly EngineServices _services;
    private readonly Mailbox _mailbox;
    private readonly ITransactionTrace _trace;
    // Most calls have one leg; a CallAndBridge grows it once.
    private readonly List<LegSlot> _legs = new(1);
    private InlineQueue<PendingEvent> _events;
    private PendingActions _pending;
    // Made when someone first asks for Completion (serve never does: 96 bytes per call saved).
    private TaskCompletionSource<string>? _completion;
    private string? _endReason;
    // The SIP rule's targets in priority order; the transaction runs under one of them at a time.
    // Exact-size copy of the caller's list (an array: no read-only wrapper per call).
    private readonly SipMediaApplicationRef[] _targets;
    private SipMediaApplicationRef _application;
    private int _targetIndex;
    // Never changed in place: a reply replaces the map whole, so events can share it.
    private IReadOnlyDictionary<string, string> _attributes = NoAttributes;
    private RunningAction? _running;
    private CancellationTokenSource? _attemptTimeout;
    private IDisposable? _handlerWait;
    private CancellationTokenSource? _spareActionCts;
    private CallDetails? _lastCallDetails;
    private ReusableDelay? _delay;
    // Action runs not yet consumed: the latest in a field, older ones (rare) in a list made on demand.
    private ValueTask _run;
    private bool _hasRun;
    private List<ValueTask>? _olderRuns;
    private PendingEvent? _pausedBy;
    private bool _invoking;
    private bool _ended;
    private int _sequence;

    internal CallTransaction(
        EngineServices services,
        string transactionId,
        SipMediaApplicationRef[] targets,
        int firstTarget,
        string? sipRuleId,
        ITransactionTrace? trace)
    {
        _services = services;
        TransactionId = transactionId;
        _targets = targets;
        _targetIndex = firstTarget;
        _application = targets[firstTarget];
        SipRuleId = sipRuleId;
        _trace = trace ?? NoTrace.Instance;
        _mailbox = new Mailbox(services.Activity, this);
    }

    public string TransactionId { get; }

    /// <summary>
    /// The SMA the call runs under now. For an inbound call with several SIP-rule targets this moves
    /// to the next target when NEW_INBOUND_CALL cannot be invoked (spec §1, §9.1 failover).
    /// </summary>
    public SipMediaApplicationRef Application => Volatile.Read(ref _application);

    /// <summary>The SMAs this call may run under, in priority order (one for outbound calls).</summary>
    public IReadOnlyList<SipMediaApplicationRef> Targets => _targets;

    public string? SipRuleId { get; }

    /// <summary>Completes with the reason when the transaction has ended and released everything.</summary>
    public Task<string> Completion
    {
        get
        {
            var source = Volatile.Read(ref _completion);
            if (source is null)
            {
                var created = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                source = Interlocked.CompareExchange(ref _completion, created, null) ?? created;
            }

            // The transaction may have ended before the source existed (or while it was being made).
            if (Volatile.Read(ref _endReason) is { } reason)
            {
                source.TrySetResult(reason);
            }

            return source.Task;
        }
    }

    /// <summary>Number of events sent so far (the last Sequence).</summary>
    public int Sequence => Volatile.Read(ref _sequence);

    internal EngineServices Services => _services;

    /// <summary>The transaction's own timer for Pause (used on the mailbox only).</summary>
    internal ReusableDelay Delay => _delay ??= new ReusableDelay(_services.Time);

    internal IReadOnlyList<LegSlot> Legs => _legs;

    internal IReadOnlyDictionary<string, string> Attributes => _attributes;

    /// <summary>Starts an inbound transaction: LEG-A is offered and NEW_INBOUND_CALL goes out.</summary>
    internal void StartInbound(ICallLeg legA) => _mailbox.Post(() =>
    {
        var slot = AddLeg(legA, LegSlot.LegA, listed: true);
        Enqueue(new PendingEvent(EventTypes.NewInboundCall, slot));
    });

    /// <summary>No target SMA had room: the leg is released unanswered and no event is sent.</summary>
    internal void RefuseInbound(ICallLeg legA, int sipCode, string reason) => _mailbox.Post(() =>
    {
        AddLeg(legA, LegSlot.LegA, listed: true);
        ReleaseAllAndEnd(sipCode, reason);
    });

    /// <summary>Starts an outbound transaction (CreateSipMediaApplicationCall): NEW_OUTBOUND_CALL, then dialing.</summary>
    internal void StartOutbound(ICallLeg legA) => _mailbox.Post(() =>
    {
        var slot = AddLeg(legA, LegSlot.LegA, listed: true);
        Enqueue(new PendingEvent(EventTypes.NewOutboundCall, slot));
        _ = DialOutboundLegAAsync(slot);
    });

    /// <summary>UpdateSipMediaApplicationCall: sends CALL_UPDATE_REQUESTED (spec §10.4).</summary>
    internal void RequestUpdate(IReadOnlyDictionary<string, string> arguments) => _mailbox.Post(() =>
    {
        if (_ended)
        {
            return;
        }

        var data = new ActionData
        {
            Type = ActionTypes.CallUpdateRequest,
            Resolved = [new("Arguments", ToJsonObject(arguments))],
        };
        Enqueue(new PendingEvent(EventTypes.CallUpdateRequested, FirstConnected(), data));
    });

    /// <summary>Ends the transaction from outside (host shutdown): every leg is released.</summary>
    public void Abort(string reason) => _mailbox.Post(() => ReleaseAllAndEnd(480, reason));

    internal LegSlot AddLeg(ICallLeg leg, string tag, bool listed)
    {
        var slot = new LegSlot(this, leg, tag) { Listed = listed };
        _legs.Add(slot);
        leg.Attach(slot);
        _trace.LegChanged(TransactionId, leg.CallId, tag, "created");
        return slot;
    }

    internal LegSlot? FindLeg(string? callId, string? participantTag)
    {
        if (callId is not null)
        {
            return _legs.Find(l => l.Listed && l.CallId == callId);
        }

        return participantTag is null ? null : _legs.FindLast(l => l.Listed && l.Tag == participantTag);
    }

    private LegSlot? FirstConnected() => _legs.Find(l => l.IsConnected) ?? _legs.FirstOrDefault();

    private bool AnyConnected() => _legs.Exists(l => l.IsConnected);

    private static System.Text.Json.Nodes.JsonObject ToJsonObject(IReadOnlyDictionary<string, string> map)
    {
        var obj = new System.Text.Json.Nodes.JsonObject();
        foreach (var (k, v) in map)
        {
            obj[k] = v;
        }

        return obj;
    }

    void IMailboxOwner.OnMailboxError(Exception exception) => OnMailboxError(exception);

    private void OnMailboxError(Exception ex)
    {
        Log.MailboxError(_services.Logger, TransactionId, ex);
        // A bug must not leave a call up with nobody steering it.
        if (!_ended)
        {
            _mailbox.Post(() => ReleaseAllAndEnd(480, "internal error: " + ex.Message));
        }
    }

    private void ReleaseAllAndEnd(int sipCode, string reason)
    {
        if (_ended)
        {
            return;
        }

        foreach (var slot in _legs)
        {
            if (!slot.Ended)
            {
                slot.Ended = true;
                slot.EndCode = sipCode;
                _ = ReleaseLegQuietlyAsync(slot, sipCode);
            }
        }

        End(reason);
    }

    private async Task ReleaseLegQuietlyAsync(LegSlot slot, int sipCode)
    {
        StopLegActivity(slot);
        try
        {
            await slot.Leg.HangupAsync(sipCode, CancellationToken.None);
        }
        catch (Exception ex)
        {
            Log.LegReleaseFailed(_services.Logger, slot.CallId, ex);
        }

        _trace.LegChanged(TransactionId, slot.CallId, slot.Tag, $"released ({sipCode})");
    }

    private void End(string reason)
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        _events.Clear();
        _pending.Clear();
        if (_running is { } running)
        {
            _running = null;
            running.Cancel();
        }

        foreach (var slot in _legs)
        {
            StopLegActivity(slot);
        }

        _delay?.Dispose();
        // A reply still awaited will never resume on the closed mailbox.
        _handlerWait?.Dispose();
        _trace.Ended(TransactionId, reason);
        _services.Registry.Remove(this);
        _mailbox.Close();
        // A full fence between recording the reason and reading the source: either this or a
        // concurrent Completion getter sees the other and completes the source.
        Interlocked.Exchange(ref _endReason, reason);
        Volatile.Read(ref _completion)?.TrySetResult(reason);
    }

    private void CheckEnded()
    {
        if (!_ended && !_invoking && _events.Count == 0 && _legs.TrueForAll(l => l.Ended))
        {
            End("all legs ended");
        }
    }
}

internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Transaction {TransactionId}: unhandled error")]
    public static partial void MailboxError(ILogger logger, string transactionId, Exception ex);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Releasing leg {CallId} failed")]
    public static partial void LegReleaseFailed(ILogger logger, string callId, Exception ex);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Transaction {TransactionId}: handler invocation failed: {Reason}")]
    public static partial void InvocationFailed(ILogger logger, string transactionId, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Transaction {TransactionId}: action {ActionType} threw")]
    public static partial void ActionThrew(ILogger logger, string transactionId, string actionType, Exception ex);
}
