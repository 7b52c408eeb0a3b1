namespace OpenSma.Sip.Auth;

/// <summary>The outcome of checking a request's Authorization.</summary>
public readonly record struct SipAuthResult(SipAuthStatus Status, string? Username)
{
    public static SipAuthResult Missing => new(SipAuthStatus.Missing, null);

    public static SipAuthResult Failed => new(SipAuthStatus.Failed, null);

    public static SipAuthResult Stale => new(SipAuthStatus.Stale, null);

    public bool IsAuthenticated => Status == SipAuthStatus.Authenticated;

    public static SipAuthResult Ok(string username) => new(SipAuthStatus.Authenticated, username);
}

public enum SipAuthStatus
{
    /// <summary>No credentials for our realm: challenge.</summary>
    Missing,

    /// <summary>Wrong password, unknown user or a forged nonce: challenge again (or 403).</summary>
    Failed,

    /// <summary>Right password, old nonce: challenge with stale=true.</summary>
    Stale,

    Authenticated,
}
