using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Dialogs;

/// <summary>The end of an outgoing INVITE: a confirmed dialog, or the final failure (a local 408/503 included).</summary>
public sealed record SipInviteResult(SipDialog? Dialog, SipResponse FinalResponse)
{
    public bool IsAnswered => Dialog is not null;

    private readonly ReadOnlyMemory<byte>? _answerBody;

    /// <summary>
    /// The callee's session description when answered: the body of the 2xx, unless that is an
    /// older version (o= line) of the one the callee sent last in the early dialog (an UPDATE or
    /// a reliable provisional renegotiated after it first answered); then that latest one, since
    /// the 2xx must not take the session back (RFC 6337 §3.1).
    /// </summary>
    public ReadOnlyMemory<byte> AnswerBody
    {
        get => _answerBody ?? FinalResponse.Body;
        init => _answerBody = value;
    }
}
