namespace OpenSma.Sip.Dialogs;

/// <summary>Why a dialog ended.</summary>
public enum SipEndReason
{
    /// <summary>The peer sent BYE.</summary>
    RemoteHangUp,

    /// <summary>We sent BYE.</summary>
    LocalHangUp,

    /// <summary>The caller cancelled before the answer.</summary>
    Cancelled,

    /// <summary>We answered the INVITE with a failure.</summary>
    Rejected,

    /// <summary>Our 2xx was never acknowledged; we sent BYE (RFC 3261 §13.3.1.4).</summary>
    AckTimeout,

    /// <summary>No session refresh came within the RFC 4028 interval; we sent BYE.</summary>
    SessionExpired,

    /// <summary>An in-dialog request timed out or got 481: the dialog is gone on the other side.</summary>
    Lost,
}
