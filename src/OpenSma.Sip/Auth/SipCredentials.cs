namespace OpenSma.Sip.Auth;

/// <summary>A username and password for digest authentication (a trunk account or a softphone).</summary>
public sealed record SipCredentials(string Username, string Password)
{
    public override string ToString() => $"SipCredentials {{ Username = {Username} }}";
}
