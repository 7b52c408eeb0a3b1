namespace OpenSma.Sip.Auth;

/// <summary>The outcome of checking a request's Authorization.</summary>
public readonly record struct SipAuthResult(SipAuthStatus Status, string? Username)
{
    public static SipAuthResult Missing => new(SipAuthStatus.Missing, null);

    public static SipAuthResult Failed => new(SipAuthStatus.Failed, null);

    public static SipAuthResult Stale => new(SipAuthStatus.Stale, null);

    public static SipAuthResult Replayed => new(SipAuthStatus.Replayed, null);

    public static SipAuthResult UriMismatch => new(SipAuthStatus.UriMismatch, null);

    /// <summary>True when the answer is malformed for this request (its uri names another resource): answer 400, do not challenge.</summary>
    public bool IsBadRequest => Status == SipAuthStatus.UriMismatch;

    public bool IsAuthenticated => Status == SipAuthStatus.Authenticated;

    /// <summary>
    /// True when the password was right but the nonce cannot be used again (old, or its count
    /// replayed): the new challenge carries stale=true so the client retries without asking its user.
    /// </summary>
    public bool NeedsStaleChallenge => Status is SipAuthStatus.Stale or SipAuthStatus.Replayed;

    public static SipAuthResult Ok(string username) => new(SipAuthStatus.Authenticated, username);
}

public enum SipAuthStatus
{
    /// <summary>No credentials for our realm: challenge.</summary>
    Missing,

    /// <summary>Wrong password, unknown user, a forged nonce or no qop: challenge again (or 403).</summary>
    Failed,

    /// <summary>Right password, old nonce: challenge with stale=true.</summary>
    Stale,

    Authenticated,

    /// <summary>Right password, but the nonce-count did not grow (a replayed answer): challenge with stale=true.</summary>
    Replayed,

    /// <summary>
    /// The answer's uri does not name the Request-URI (RFC 3261 §22.4, RFC 7616 §3.4.6): answer
    /// 400 Bad Request rather than a challenge.
    /// </summary>
    UriMismatch,
}
