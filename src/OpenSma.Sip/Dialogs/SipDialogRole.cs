namespace OpenSma.Sip.Dialogs;

public enum SipDialogRole
{
    /// <summary>We received the INVITE.</summary>
    Uas,

    /// <summary>We sent the INVITE.</summary>
    Uac,
}
