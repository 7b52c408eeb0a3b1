using OpenSma.Engine.Actions;
using OpenSma.Engine.Contracts;
using OpenSma.Engine.Legs;

namespace OpenSma.Engine.Transactions;

// The action list (spec §5): strict order, silent vs reporting actions, replace vs continue,
// failure discards the rest, interruption by an update.
public sealed partial class CallTransaction
{
    /// <param name="byUpdate">The reply answers CALL_UPDATE_REQUESTED: an interrupted action is reported.</param>
    private void ReplaceList(IReadOnlyList<ActionRequest> actions, LegSlot? defaultLeg, bool byUpdate)
    {
        _pending.Replace(actions, defaultLeg);

        // The action in progress: stopped now if interruptible, else it finishes first (§5.4).
        if (_running is { } running && (running.Executor.Traits & ActionTraits.Interruptible) != 0)
        {
            _running = null;
            running.Cancel();
            _trace.ActionEnded(TransactionId, running.Context.Request, "interrupted");
            if (byUpdate)
            {
                // Reported without waiting: the new list starts while this event is out (§5.4 [rec]).
                Enqueue(new PendingEvent(EventTypes.ActionInterrupted, running.Context.InvokedLeg, running.Context.BuildActionData(null)));
            }
        }

        ContinueList();
    }

    private void ContinueList()
    {
        if (_ended || _running is not null || _pausedBy is not null || _pending.Count == 0)
        {
            return;
        }

        var next = _pending.Dequeue();
        var executor = _services.Actions.Get(next.Request.Type);
        var context = new ActionContext(this, next.Request, next.DefaultLeg);
        var running = new RunningAction(executor, context, _spareActionCts ?? new CancellationTokenSource());
        _spareActionCts = null;
        _running = running;
        ReapFinishedRuns();
        var run = RunActionAsync(running);
        if (run.IsCompleted)
        {
            ConsumeRun(run);
        }
        else if (!_hasRun)
        {
            _run = run;
            _hasRun = true;
        }
        else
        {
            (_olderRuns ??= []).Add(run);
        }
    }

    /// <summary>
    /// Runs are pooled ValueTasks: each must be consumed once it has completed so its state machine
    /// goes back to the pool. A run usually finishes just after it has started the next action, so
    /// the finished ones are collected when the following action starts.
    /// </summary>
    private void ReapFinishedRuns()
    {
        if (_hasRun && _run.IsCompleted)
        {
            var run = _run;
            _run = default;
            _hasRun = false;
            ConsumeRun(run);
        }

        if (_olderRuns is not { } older)
        {
            return;
        }

        for (var i = older.Count - 1; i >= 0; i--)
        {
            if (older[i].IsCompleted)
            {
                var run = older[i];
                older.RemoveAt(i);
                ConsumeRun(run);
            }
        }

        if (older.Count == 0)
        {
            _olderRuns = null;
        }
    }

    private void ConsumeRun(ValueTask run)
    {
        try
        {
            run.GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            // RunActionAsync handles the action's own errors; anything else is a bug in the engine.
            OnMailboxError(ex);
        }
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask RunActionAsync(RunningAction running)
    {
        var context = running.Context;
        _trace.ActionStarted(TransactionId, context.Request, context.InvokedLeg?.CallId);
        ActionError? error;
        try
        {
            // Any first action but Hangup and CallAndBridge answers an offered inbound call (§10.1 [rec]).
            if ((running.Executor.Traits & ActionTraits.KeepsCallUnanswered) == 0)
            {
                await AnswerOfferedLegAsync(running.Token);
            }

            error = await running.Executor.ExecuteAsync(context, running.Token);
        }
        catch (OperationCanceledException) when (running.Token.IsCancellationRequested)
        {
            error = null;
        }
        catch (Exception ex)
        {
            Log.ActionThrew(_services.Logger, TransactionId, context.Request.Type, ex);
            error = ActionError.System;
        }
        finally
        {
            context.ReleaseResources();
        }

        if (!ReferenceEquals(_running, running))
        {
            // Interrupted or abandoned: already reported, or its leg's HANGUP says what happened.
            // Its clean-up may have released the last leg (CallAndBridge's unanswered LEG-B). Posted:
            // this may run inside the code that abandoned it, before that code queued the HANGUP.
            _mailbox.Post(CheckEnded);
            return;
        }

        _running = null;
        // Nothing can cancel this action any more (only _running is ever cancelled): its source serves the next one.
        _spareActionCts ??= running.TakeForReuse();
        if (running.Abandoned || (context.HangupReport is null && context.Target is { Ended: true }))
        {
            _trace.ActionEnded(TransactionId, context.Request, "abandoned: leg ended");
            return;
        }

        OnActionCompleted(running, error);
    }

    private void OnActionCompleted(RunningAction running, ActionError? error)
    {
        var context = running.Context;
        var reportLeg = context.Target ?? context.InvokedLeg;
        if (error is not null)
        {
            _trace.ActionEnded(TransactionId, context.Request, $"failed: {error.ErrorType}: {error.ErrorMessage}");
            _pending.Clear();
            Pause(new PendingEvent(EventTypes.ActionFailed, reportLeg, context.BuildActionData(error), PausesList: true));
            return;
        }

        _trace.ActionEnded(TransactionId, context.Request, "succeeded");
        if (context.HangupReport is { } hangup)
        {
            // Hangup reports through the HANGUP event of the leg it released (§5.3, §7.2).
            Pause(HangupEvent(hangup.Slot, hangup.SipCode));
            return;
        }

        if ((running.Executor.Traits & ActionTraits.Reporting) != 0 || _pending.Count == 0)
        {
            Pause(new PendingEvent(EventTypes.ActionSuccessful, reportLeg, context.BuildActionData(null), PausesList: true));
            if (context.LateHangup is { } gone)
            {
                Pause(HangupEvent(gone, gone.EndCode));
            }

            return;
        }

        ContinueList();
    }

    private void Pause(PendingEvent pending)
    {
        _pausedBy = pending;
        Enqueue(pending);
    }

    private static PendingEvent HangupEvent(LegSlot slot, int sipCode) => new(
        EventTypes.Hangup,
        slot,
        new ActionData
        {
            Type = ActionTypes.HangupEvent,
            Resolved =
            [
                new("SipResponseCode", sipCode),
                new("CallId", slot.CallId),
                new("ParticipantTag", slot.Tag),
            ],
        },
        PausesList: true);

    private async Task AnswerOfferedLegAsync(CancellationToken cancellationToken)
    {
        var legA = _legs.Find(l => l.Tag == LegSlot.LegA);
        if (legA is { Ended: false } && legA.Leg.Direction == LegDirection.Inbound && legA.Leg.State == LegState.Alerting)
        {
            await legA.Leg.AnswerAsync(cancellationToken);
            _trace.LegChanged(TransactionId, legA.CallId, legA.Tag, "answered");
        }
    }

    /// <summary>Called by the Hangup executor once it has released a leg.</summary>
    internal void MarkReleased(LegSlot slot, int sipCode)
    {
        slot.Ended = true;
        slot.EndCode = sipCode;
        StopLegActivity(slot);
        _trace.LegChanged(TransactionId, slot.CallId, slot.Tag, $"released ({sipCode})");
    }

    /// <summary>Stops everything bound to a leg: bridge, digit listener, call recording.</summary>
    private static void StopLegActivity(LegSlot slot)
    {
        if (slot.BridgedWith is { } other)
        {
            other.BridgedWith = null;
            slot.BridgedWith = null;
            if (!other.Ended)
            {
                other.Leg.BridgeWith(null);
            }

            slot.Leg.BridgeWith(null);
        }

        slot.DigitListener?.Dispose();
        slot.DigitListener = null;
        if (slot.Recording is { } recording)
        {
            slot.Recording = null;
            _ = recording.FinishAsync();
        }
    }

    internal void Post(Action action) => _mailbox.Post(action);

    /// <summary>A DIGITS_RECEIVED event for a ReceiveDigits match (spec §3.7).</summary>
    internal void ReportDigitsReceived(LegSlot slot, ActionData data) =>
        Enqueue(new PendingEvent(EventTypes.DigitsReceived, slot, data));
}
