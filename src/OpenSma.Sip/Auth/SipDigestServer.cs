using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Auth;

/// <summary>
/// Challenges requests for one fixed realm and user list (the endpoint's softphone users) and
/// checks the answers (RFC 3261 §22.4, RFC 8760). The work is done by a <see cref="SipDigestVerifier"/>;
/// applications that choose the realm and credentials per request use that type directly.
/// </summary>
public sealed class SipDigestServer
{
    private readonly Func<string, string?> _passwordFor;
    private readonly Lazy<SipDigestVerifier> _verifier;

    /// <param name="realm">The protection realm shown to users.</param>
    /// <param name="passwordFor">Returns the password of a username, or null when unknown.</param>
    public SipDigestServer(string realm, Func<string, string?> passwordFor, TimeProvider? time = null)
    {
        Realm = realm;
        _passwordFor = passwordFor;
        // Built on first use so the init-only settings below are in place.
        _verifier = new Lazy<SipDigestVerifier>(() => new SipDigestVerifier(time) { NonceLifetime = NonceLifetime, Algorithms = Algorithms, RequireMatchingUri = RequireMatchingUri });
    }

    public string Realm { get; }

    public TimeSpan NonceLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Answer 400 to credentials computed for another URI than the Request-URI (see <see cref="SipDigestVerifier.RequireMatchingUri"/>).</summary>
    public bool RequireMatchingUri { get; init; } = true;

    /// <summary>Algorithms offered, one challenge each, in this order.</summary>
    public IReadOnlyList<string> Algorithms { get; init; } = ["SHA-256", "MD5"];

    /// <summary>
    /// The answer to a request that did not authenticate: a 401 with one challenge per algorithm (by
    /// default SHA-256 first and MD5 second, as RFC 8760 §2.4 asks), or 400 Bad Request when the
    /// request's credentials for our realm were computed for another URI than its Request-URI
    /// (RFC 3261 §22.4, RFC 7616 §3.4.6), which a fresh challenge would not mend.
    /// </summary>
    public SipResponse Challenge(SipRequest request, string toTag, bool stale = false) =>
        RequireMatchingUri && SipDigestVerifier.HasUriMismatch(request, Realm)
            ? BadUri(request, toTag)
            : _verifier.Value.Challenge(request, Realm, toTag, proxy: false, stale);

    /// <summary>The response for a <see cref="Verify"/> outcome other than Authenticated: 400 for a uri mismatch, else a challenge (stale when due).</summary>
    public SipResponse Refusal(SipRequest request, SipAuthResult result, string toTag) =>
        result.IsBadRequest ? BadUri(request, toTag) : _verifier.Value.Challenge(request, Realm, toTag, proxy: false, result.NeedsStaleChallenge);

    /// <summary>The outcome for the request's Authorization; anything but Authenticated is answered with <see cref="Refusal"/>.</summary>
    public SipAuthResult Verify(SipRequest request) => _verifier.Value.Verify(request, Realm, _passwordFor);

    /// <summary>400 for credentials whose uri is not the Request-URI.</summary>
    public static SipResponse BadUri(SipRequest request, string toTag) =>
        SipResponses.Create(request, 400, "Bad Request (Authorization uri does not match the Request-URI)", toTag);
}
