namespace OpenSma.Sip.Core;

/// <summary>What this stack advertises in Allow and Supported.</summary>
internal static class SipCapabilities
{
    public const string Allow = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK, REGISTER, NOTIFY, REFER";

    public const string Supported = "100rel, replaces, timer";
}
