using OpenSma.Engine.Contracts;
using OpenSma.Engine.Control;
using OpenSma.Engine.Invocation;

namespace OpenSma.Engine.Transactions;

/// <summary>
/// Observes a transaction for the <c>opensma call</c> ladder and for tests: every event sent, every
/// reply, every action and leg change. Called on the transaction's mailbox; keep it cheap.
/// </summary>
public interface ITransactionTrace
{
    /// <summary>An event goes out; <paramref name="json"/> is a pooled buffer, valid only during this call (copy it to keep it).</summary>
    void EventSent(string transactionId, InvocationEvent invocationEvent, ReadOnlyMemory<byte> json) { }

    /// <summary>A reply (or a failed attempt) for the event with that sequence number.</summary>
    void ReplyReceived(string transactionId, int sequence, int attempt, InvocationResult result, TimeSpan latency) { }

    /// <summary>The reply was not applied: ignored by the rules, unreadable, or invalid.</summary>
    void ReplyRejected(string transactionId, int sequence, string reason) { }

    void ActionStarted(string transactionId, ActionRequest action, string? callId) { }

    void ActionEnded(string transactionId, ActionRequest action, string outcome) { }

    /// <summary>NEW_INBOUND_CALL could not be invoked on <paramref name="from"/>; the call moves to the next SIP-rule target.</summary>
    void FailedOver(string transactionId, SipMediaApplicationRef from, SipMediaApplicationRef to, string reason) { }

    void LegChanged(string transactionId, string callId, string participantTag, string change) { }

    void Ended(string transactionId, string reason) { }
}

internal sealed class NoTrace : ITransactionTrace
{
    public static NoTrace Instance { get; } = new();
}
