using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Dialogs;

/// <summary>The end of an outgoing INVITE: a confirmed dialog, or the final failure (a local 408/503 included).</summary>
public sealed record SipInviteResult(SipDialog? Dialog, SipResponse FinalResponse)
{
    public bool IsAnswered => Dialog is not null;

    /// <summary>The body of the 2xx (the remote answer) when answered.</summary>
    public ReadOnlyMemory<byte> AnswerBody => FinalResponse.Body;
}
