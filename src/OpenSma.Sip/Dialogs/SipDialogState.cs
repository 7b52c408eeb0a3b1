namespace OpenSma.Sip.Dialogs;

public enum SipDialogState
{
    /// <summary>Created by an INVITE (UAS) and not yet answered.</summary>
    Early,

    /// <summary>Answered: a 2xx was sent or received.</summary>
    Confirmed,

    Terminated,
}
