namespace OpenSma.Sip.Messages;

/// <summary>Method names this stack knows; anything else is an extension method.</summary>
public static class SipMethods
{
    public const string Invite = "INVITE";
    public const string Ack = "ACK";
    public const string Bye = "BYE";
    public const string Cancel = "CANCEL";
    public const string Options = "OPTIONS";
    public const string Register = "REGISTER";
    public const string Info = "INFO";
    public const string Update = "UPDATE";
    public const string Prack = "PRACK";
    public const string Refer = "REFER";
    public const string Notify = "NOTIFY";
    public const string Subscribe = "SUBSCRIBE";
    public const string Message = "MESSAGE";

    private static readonly HashSet<string> Known =
        [Invite, Ack, Bye, Cancel, Options, Register, Info, Update, Prack, Refer, Notify, Subscribe, Message];

    /// <summary>Methods are case-sensitive (RFC 3261 §7.1), so "invite" is an unknown extension.</summary>
    public static bool IsKnown(string method) => Known.Contains(method);
}
