using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Dialogs;

/// <summary>What a dialog reports to the application that holds it, in order, through <see cref="SipDialog.Events"/>.</summary>
public abstract record SipDialogEvent;

/// <summary>The dialog is confirmed: the ACK for our 2xx arrived (UAS), or the 2xx arrived and was ACKed (UAC).</summary>
public sealed record SipDialogConfirmed : SipDialogEvent
{
    /// <summary>UAS: the caller's ACK; its body is the answer when our 2xx carried the offer. Null for a UAC.</summary>
    public SipRequest? Ack { get; init; }
}

/// <summary>A DTMF digit carried by INFO (application/dtmf-relay or application/dtmf); already answered 200.</summary>
public sealed record SipDtmfReceived(char Digit, int DurationMs) : SipDialogEvent;

/// <summary>An in-dialog request the application must answer: re-INVITE, UPDATE, INFO, REFER, NOTIFY, MESSAGE.</summary>
public sealed record SipDialogRequestReceived(SipIncomingRequest Request) : SipDialogEvent;

/// <summary>
/// UAS: the caller's answer to the offer we sent in a reliable provisional response (the INVITE had
/// no offer, or a later provisional carried a new session version once the first exchange was
/// done), carried in its PRACK (RFC 3262 §5). The PRACK has already been answered 200; read the
/// answer from <paramref name="Prack"/>'s body and content type.
/// </summary>
public sealed record SipEarlyAnswerReceived(SipRequest Prack) : SipDialogEvent;

/// <summary>Progress of a transfer we asked for with REFER: the status the transfer target answered, from NOTIFY.</summary>
public sealed record SipReferProgress(int StatusCode, bool IsFinal) : SipDialogEvent;

/// <summary>The dialog ended; <paramref name="StatusCode"/> is the final status when one applies.</summary>
public sealed record SipDialogTerminated(SipEndReason Reason, int? StatusCode = null) : SipDialogEvent;
