using OpenSma.Engine.Contracts;
using OpenSma.Engine.Legs;

namespace OpenSma.Engine.Transactions;

// What legs report: ringing, answer, digits and their end (spec §3, §5.6, §10).
public sealed partial class CallTransaction
{
    private async Task DialOutboundLegAAsync(LegSlot slot)
    {
        try
        {
            await slot.Leg.DialAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            Log.LegReleaseFailed(_services.Logger, slot.CallId, ex);
            OnLegEnded(slot, 480);
        }
    }

    internal void OnLegRinging(LegSlot slot)
    {
        if (_ended || slot.Ended || slot.RingingSeen)
        {
            return;
        }

        slot.RingingSeen = true;
        _trace.LegChanged(TransactionId, slot.CallId, slot.Tag, "ringing");
        // RINGING is reported for the outbound LEG-A of CreateSipMediaApplicationCall only.
        if (slot.Tag == LegSlot.LegA && slot.Leg.Direction == LegDirection.Outbound)
        {
            Enqueue(new PendingEvent(EventTypes.Ringing, slot));
        }
    }

    internal void OnLegAnswered(LegSlot slot)
    {
        if (_ended || slot.Ended)
        {
            return;
        }

        _trace.LegChanged(TransactionId, slot.CallId, slot.Tag, "answered");
        if (slot.AnswerWaiter is { } waiter)
        {
            slot.AnswerWaiter = null;
            waiter.TrySetResult(true);
        }

        if (slot.Tag == LegSlot.LegA && slot.Leg.Direction == LegDirection.Outbound)
        {
            Enqueue(new PendingEvent(EventTypes.CallAnswered, slot));
        }
    }

    internal void OnLegDigit(LegSlot slot, char digit)
    {
        if (_ended || slot.Ended)
        {
            return;
        }

        _trace.LegChanged(TransactionId, slot.CallId, slot.Tag, $"digit {digit}");
        slot.DeliverDigit(digit);
    }

    internal void OnLegEnded(LegSlot slot, int sipCode)
    {
        if (_ended || slot.Ended)
        {
            return;
        }

        slot.Ended = true;
        slot.EndCode = sipCode;
        _trace.LegChanged(TransactionId, slot.CallId, slot.Tag, $"ended ({sipCode})");
        StopLegActivity(slot);
        if (slot.AnswerWaiter is { } waiter)
        {
            slot.AnswerWaiter = null;
            waiter.TrySetResult(false);
        }

        // The action running on that leg stops without a success or failure event (§5.6 [rec]).
        if (_running is { } running && running.Context.Concerns(slot))
        {
            _running = null;
            running.Abandon();
            _trace.ActionEnded(TransactionId, running.Context.Request, "abandoned: leg ended");
        }

        if (slot.Listed)
        {
            Pause(HangupEvent(slot, sipCode));
        }
        else
        {
            CheckEnded();
        }
    }
}
