using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Auth;

/// <summary>
/// Challenges requests and checks the answers (RFC 3261 §22.4, RFC 8760). Nonces are stateless:
/// an issue time plus an HMAC over it, so any nonce we did not make, or one older than
/// <see cref="NonceLifetime"/>, is refused without a table of issued nonces.
/// </summary>
public sealed class SipDigestServer
{
    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(32);
    private readonly Func<string, string?> _passwordFor;
    private readonly TimeProvider _time;

    /// <param name="realm">The protection realm shown to users.</param>
    /// <param name="passwordFor">Returns the password of a username, or null when unknown.</param>
    public SipDigestServer(string realm, Func<string, string?> passwordFor, TimeProvider? time = null)
    {
        Realm = realm;
        _passwordFor = passwordFor;
        _time = time ?? TimeProvider.System;
    }

    public string Realm { get; }

    public TimeSpan NonceLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Algorithms offered, one challenge each, in this order.</summary>
    public IReadOnlyList<string> Algorithms { get; init; } = ["SHA-256", "MD5"];

    /// <summary>A 401 with one challenge per algorithm (by default SHA-256 first and MD5 second, as RFC 8760 §2.4 asks).</summary>
    public SipResponse Challenge(SipRequest request, string toTag, bool stale = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = SipResponses.Create(request, 401, toTag: toTag);
        var nonce = NewNonce();
        foreach (var algorithm in Algorithms)
        {
            var challenge = new SipAuthHeader("Digest")
            {
                ["realm"] = Realm,
                ["nonce"] = nonce,
                ["algorithm"] = algorithm,
                ["qop"] = "auth",
            };
            if (stale)
            {
                challenge["stale"] = "true";
            }

            response.Headers.Add(SipHeaderNames.WwwAuthenticate, challenge.Format("algorithm", "stale"));
        }

        return response;
    }

    /// <summary>The authenticated username, or null (then answer with <see cref="Challenge"/>).</summary>
    public SipAuthResult Verify(SipRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (var field in request.Headers.GetFields(SipHeaderNames.Authorization))
        {
            if (!SipAuthHeader.TryParse(field, out var auth) || !auth.Scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase)
                || !string.Equals(auth["realm"], Realm, StringComparison.Ordinal))
            {
                continue;
            }

            var username = auth["username"];
            var nonce = auth["nonce"];
            var algorithm = auth["algorithm"];
            if (username is null || nonce is null || !SipDigest.IsSupported(algorithm) || auth["uri"] is not { } uri || auth["response"] is not { } given)
            {
                return SipAuthResult.Failed;
            }

            if (!NonceIsOurs(nonce, out var expired))
            {
                return SipAuthResult.Failed;
            }

            var password = _passwordFor(username);
            if (password is null)
            {
                return SipAuthResult.Failed;
            }

            var expected = SipDigest.Response(SipDigest.Normalize(algorithm), username, Realm, password, request.Method, uri, nonce, auth["qop"], auth["nc"], auth["cnonce"]);
            if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(given.ToLowerInvariant())))
            {
                return SipAuthResult.Failed;
            }

            return expired ? SipAuthResult.Stale : SipAuthResult.Ok(username);
        }

        return SipAuthResult.Missing;
    }

    private string NewNonce()
    {
        var issued = _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return issued + "." + Sign(issued);
    }

    private bool NonceIsOurs(string nonce, out bool expired)
    {
        expired = false;
        var dot = nonce.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !long.TryParse(nonce.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var issued))
        {
            return false;
        }

        var signature = Encoding.ASCII.GetBytes(nonce[(dot + 1)..]);
        if (!CryptographicOperations.FixedTimeEquals(signature, Encoding.ASCII.GetBytes(Sign(nonce[..dot]))))
        {
            return false;
        }

        expired = _time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(issued) > NonceLifetime;
        return true;
    }

    private string Sign(string issued) => Convert.ToHexStringLower(HMACSHA256.HashData(_secret, Encoding.ASCII.GetBytes(issued)))[..32];
}
