using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Auth;

/// <summary>
/// Server-side digest authentication (RFC 3261 §22.4, RFC 8760, RFC 7616 qop=auth) where the
/// application picks the realm and the credentials per request, e.g. per SIP trunk. Keep one
/// instance for the life of the endpoint: its nonces carry an HMAC under a secret only it knows,
/// so a nonce it did not issue, or one older than <see cref="NonceLifetime"/>, is refused without
/// a table of issued nonces. Only answered nonces are remembered, with their highest nonce-count,
/// so a replayed Authorization (same nonce, nc not increasing) is refused. Thread-safe.
/// </summary>
public sealed class SipDigestVerifier
{
    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(32);
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, NonceUse> _answered = new(StringComparer.Ordinal);
    private int _purgeAt = 1024;

    public SipDigestVerifier(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
    }

    /// <summary>How long a nonce is accepted; an older one with the right password is answered stale=true.</summary>
    public TimeSpan NonceLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Algorithms offered, one challenge each, in this order (RFC 8760 §2.4: SHA-256 before MD5).</summary>
    public IReadOnlyList<string> Algorithms { get; init; } = ["SHA-256", "MD5"];

    /// <summary>
    /// Refuse (<see cref="SipAuthStatus.UriMismatch"/>, answered 400) an answer whose uri does not
    /// name the Request-URI (RFC 3261 §22.4, RFC 7616 §3.4.6). On by default; turn it off only for a
    /// peer known to put something else there (sipp, without -auth_uri, sends sip:host:port).
    /// </summary>
    public bool RequireMatchingUri { get; init; } = true;

    /// <summary>Nonces answered and still within their lifetime (the nonce-count table's size).</summary>
    public int TrackedNonces
    {
        get
        {
            lock (_lock)
            {
                return _answered.Count;
            }
        }
    }

    /// <summary>
    /// The header values of a challenge for <paramref name="realm"/>: one per algorithm, sharing a
    /// fresh nonce, qop="auth", and stale=true when the client's password was right but its nonce old.
    /// </summary>
    public IReadOnlyList<string> CreateChallenges(string realm, bool stale = false)
    {
        ArgumentNullException.ThrowIfNull(realm);
        var nonce = NewNonce(realm);
        var values = new List<string>(Algorithms.Count);
        foreach (var algorithm in Algorithms)
        {
            var challenge = new SipAuthHeader("Digest")
            {
                ["realm"] = realm,
                ["nonce"] = nonce,
                ["algorithm"] = algorithm,
                ["qop"] = "auth",
            };
            if (stale)
            {
                challenge["stale"] = "true";
            }

            values.Add(challenge.Format("algorithm", "stale"));
        }

        return values;
    }

    /// <summary>
    /// A 401 with WWW-Authenticate, or with <paramref name="proxy"/> a 407 with Proxy-Authenticate,
    /// answering <paramref name="request"/> with the given To tag.
    /// </summary>
    public SipResponse Challenge(SipRequest request, string realm, string toTag, bool proxy = false, bool stale = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = SipResponses.Create(request, proxy ? 407 : 401, toTag: toTag);
        var header = proxy ? SipHeaderNames.ProxyAuthenticate : SipHeaderNames.WwwAuthenticate;
        foreach (var value in CreateChallenges(realm, stale))
        {
            response.Headers.Add(header, value);
        }

        return response;
    }

    /// <summary>
    /// Checks the request's Authorization (or Proxy-Authorization with <paramref name="proxy"/>) for
    /// <paramref name="realm"/>. <paramref name="passwordFor"/> returns a username's password, or
    /// null when the user is unknown. Anything but Authenticated should be answered with a challenge
    /// (<see cref="SipAuthResult.NeedsStaleChallenge"/> says whether to set stale=true), or 403.
    /// </summary>
    public SipAuthResult Verify(SipRequest request, string realm, Func<string, string?> passwordFor, bool proxy = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(realm);
        ArgumentNullException.ThrowIfNull(passwordFor);
        var header = proxy ? SipHeaderNames.ProxyAuthorization : SipHeaderNames.Authorization;
        foreach (var field in request.Headers.GetFields(header))
        {
            if (!SipAuthHeader.TryParse(field, out var auth) || !auth.Scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase)
                || !string.Equals(auth["realm"], realm, StringComparison.Ordinal))
            {
                continue;
            }

            return VerifyAnswer(auth, request, realm, passwordFor);
        }

        return SipAuthResult.Missing;
    }

    /// <summary>
    /// True when the request carries credentials for <paramref name="realm"/> whose <c>uri</c> does not
    /// name the Request-URI (RFC 3261 §22.4, RFC 7616 §3.4.6): such a request is answered 400, not challenged.
    /// </summary>
    public static bool HasUriMismatch(SipRequest request, string realm, bool proxy = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(realm);
        var header = proxy ? SipHeaderNames.ProxyAuthorization : SipHeaderNames.Authorization;
        foreach (var field in request.Headers.GetFields(header))
        {
            if (SipAuthHeader.TryParse(field, out var auth) && auth.Scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase)
                && string.Equals(auth["realm"], realm, StringComparison.Ordinal))
            {
                return auth["uri"] is { } uri && !NamesRequestUri(uri, request.RequestUri);
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a digest <c>uri</c> names the Request-URI: equal as URIs under RFC 3261 §19.1.4 for
    /// sip and sips (scheme and host case-insensitive, user and password exact, ports and the
    /// transport, user, method, ttl and maddr parameters present in both or neither, other parameters
    /// compared only where both carry them, headers all equal), and equal as text for other schemes.
    /// </summary>
    public static bool NamesRequestUri(string digestUri, SipUri requestUri)
    {
        ArgumentNullException.ThrowIfNull(digestUri);
        ArgumentNullException.ThrowIfNull(requestUri);
        if (!SipUri.TryParse(digestUri.Trim(), out var given))
        {
            return false;
        }

        if (!given.IsSip || !requestUri.IsSip)
        {
            return string.Equals(given.Scheme, requestUri.Scheme, StringComparison.Ordinal)
                && string.Equals(given.ToString(), requestUri.ToString(), StringComparison.OrdinalIgnoreCase);
        }

        if (given.Scheme != requestUri.Scheme || !string.Equals(given.User, requestUri.User, StringComparison.Ordinal)
            || !string.Equals(given.Password, requestUri.Password, StringComparison.Ordinal)
            || !string.Equals(given.Host.Trim('[', ']'), requestUri.Host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase)
            || given.Port != requestUri.Port)
        {
            return false;
        }

        foreach (var name in (string[])["transport", "user", "method", "ttl", "maddr"])
        {
            if (given.Parameters.Contains(name) != requestUri.Parameters.Contains(name))
            {
                return false;
            }
        }

        foreach (var parameter in given.Parameters)
        {
            if (requestUri.Parameters.Contains(parameter.Name)
                && !string.Equals(parameter.Value, requestUri.Parameters.Get(parameter.Name), StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        if (given.Headers.Count != requestUri.Headers.Count)
        {
            return false;
        }

        foreach (var header in given.Headers)
        {
            if (!requestUri.Headers.Contains(header.Name)
                || !string.Equals(header.Value, requestUri.Headers.Get(header.Name), StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private SipAuthResult VerifyAnswer(SipAuthHeader auth, SipRequest request, string realm, Func<string, string?> passwordFor)
    {
        var method = request.Method;
        var algorithm = auth["algorithm"];
        if (auth["username"] is not { } username || auth["nonce"] is not { } nonce || !SipDigest.IsSupported(algorithm)
            || auth["uri"] is not { } uri || auth["response"] is not { } given)
        {
            return SipAuthResult.Failed;
        }

        // RFC 3261 §22.4 and RFC 7616 §3.4.6: the answer must be for this request's resource; an
        // answer computed for another URI cannot be checked against this one and is a bad request.
        if (RequireMatchingUri && !NamesRequestUri(uri, request.RequestUri))
        {
            return SipAuthResult.UriMismatch;
        }

        // We always offer qop=auth, and RFC 7616 §3.4 obliges the client to use it then; without
        // it there is no nonce-count and an answer could be replayed for the nonce's lifetime.
        if (!string.Equals(auth["qop"], "auth", StringComparison.OrdinalIgnoreCase) || auth["cnonce"] is not { Length: > 0 } cnonce
            || auth["nc"] is not { Length: 8 } nc || !long.TryParse(nc, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var count))
        {
            return SipAuthResult.Failed;
        }

        if (!NonceIsOurs(nonce, realm, out var issued))
        {
            return SipAuthResult.Failed;
        }

        if (passwordFor(username) is not { } password)
        {
            return SipAuthResult.Failed;
        }

        var expected = SipDigest.Response(SipDigest.Normalize(algorithm), username, realm, password, method, uri, nonce, "auth", nc, cnonce);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(given.ToLowerInvariant())))
        {
            return SipAuthResult.Failed;
        }

        var now = _time.GetUtcNow();
        if (now - issued > NonceLifetime)
        {
            return SipAuthResult.Stale;
        }

        return RecordCount(nonce, count, issued, now) ? SipAuthResult.Ok(username) : SipAuthResult.Replayed;
    }

    /// <summary>RFC 7616 §3.4: the nonce-count must grow with each use of a nonce; false for a replay.</summary>
    private bool RecordCount(string nonce, long count, DateTimeOffset issued, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_answered.TryGetValue(nonce, out var use) && count <= use.HighestCount)
            {
                return false;
            }

            _answered[nonce] = new NonceUse(count, issued);
            if (_answered.Count >= _purgeAt)
            {
                // Expired nonces are refused as stale before this table is consulted, so they can go.
                foreach (var (key, value) in _answered)
                {
                    if (now - value.Issued > NonceLifetime)
                    {
                        _answered.Remove(key);
                    }
                }

                _purgeAt = Math.Max(1024, _answered.Count * 2);
            }

            return true;
        }
    }

    /// <summary>issued-seconds "." random "." HMAC(issued, random, realm): unique per challenge, bound to its realm.</summary>
    private string NewNonce(string realm)
    {
        var issued = _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var salt = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        return issued + "." + salt + "." + Sign(issued, salt, realm);
    }

    private bool NonceIsOurs(string nonce, string realm, out DateTimeOffset issued)
    {
        issued = default;
        var parts = nonce.Split('.');
        if (parts is not [var time, var salt, var signature]
            || !long.TryParse(time, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(signature), Encoding.ASCII.GetBytes(Sign(time, salt, realm))))
        {
            return false;
        }

        issued = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return true;
    }

    private string Sign(string issued, string salt, string realm) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(issued + ":" + salt + ":" + realm)))[..32];

    private readonly record struct NonceUse(long HighestCount, DateTimeOffset Issued);
}
