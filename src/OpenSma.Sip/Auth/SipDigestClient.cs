using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Auth;

/// <summary>
/// Answers a 401/407 challenge (RFC 3261 §22.2, RFC 8760): the request is resent with a higher
/// CSeq, a new branch and Authorization or Proxy-Authorization. SHA-256 is preferred when offered.
/// </summary>
public static class SipDigestClient
{
    /// <summary>Returns the authorized copy of <paramref name="request"/> (without Via), or null when no usable challenge is present.</summary>
    public static SipRequest? Authorize(SipRequest request, SipResponse challenge, SipCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(challenge);
        ArgumentNullException.ThrowIfNull(credentials);
        var proxy = challenge.StatusCode == 407;
        var challengeHeader = proxy ? SipHeaderNames.ProxyAuthenticate : SipHeaderNames.WwwAuthenticate;
        var chosen = PickChallenge(challenge.Headers.GetFields(challengeHeader));
        if (chosen is null)
        {
            return null;
        }

        var algorithm = SipDigest.Normalize(chosen["algorithm"]);
        var realm = chosen["realm"] ?? string.Empty;
        var nonce = chosen["nonce"] ?? string.Empty;
        var qop = chosen["qop"] is { } offered && offered.Split(',').Any(q => q.Trim() == "auth") ? "auth" : null;
        var cnonce = qop is null ? null : SipRequests.NewToken(16);
        const string nc = "00000001";
        var uri = request.RequestUri.ToString();

        var answer = new SipAuthHeader("Digest")
        {
            ["username"] = credentials.Username,
            ["realm"] = realm,
            ["nonce"] = nonce,
            ["uri"] = uri,
            ["response"] = SipDigest.Response(algorithm, credentials.Username, realm, credentials.Password, request.Method, uri, nonce, qop, nc, cnonce),
            ["algorithm"] = algorithm,
        };
        if (qop is not null)
        {
            answer["qop"] = qop;
            answer["nc"] = nc;
            answer["cnonce"] = cnonce;
        }

        if (chosen["opaque"] is { } opaque)
        {
            answer["opaque"] = opaque;
        }

        var retry = request.Clone();
        retry.Headers.Remove(SipHeaderNames.Via);
        var cseq = request.CSeq!.Value;
        retry.Headers.Set(SipHeaderNames.CSeq, new SipCSeq(cseq.Number + 1, cseq.Method).ToString());
        var header = proxy ? SipHeaderNames.ProxyAuthorization : SipHeaderNames.Authorization;
        retry.Headers.Remove(header);
        retry.Headers.Add(header, answer.Format("algorithm", "qop", "nc"));
        return retry;
    }

    private static SipAuthHeader? PickChallenge(IEnumerable<string> fields)
    {
        SipAuthHeader? best = null;
        foreach (var field in fields)
        {
            if (!SipAuthHeader.TryParse(field, out var parsed) || !parsed.Scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase)
                || !SipDigest.IsSupported(parsed["algorithm"]))
            {
                continue;
            }

            if (best is null || SipDigest.Normalize(parsed["algorithm"]) == "SHA-256")
            {
                best = parsed;
            }
        }

        return best;
    }
}
