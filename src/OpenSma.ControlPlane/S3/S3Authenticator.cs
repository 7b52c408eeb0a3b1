using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using OpenSma.ControlPlane.Auth;
using OpenSma.Aws.Signing;

namespace OpenSma.ControlPlane.S3;

/// <summary>
/// SigV4 for S3 requests: the Authorization header (with <c>x-amz-content-sha256</c> naming the
/// payload hash, <c>UNSIGNED-PAYLOAD</c> or a <c>STREAMING-*</c> mode) or a presigned URL's query.
/// Off accepts anything, Dev only well-formed credentials, Strict checks keys, clock and signature.
/// </summary>
internal sealed class S3Authenticator(S3ApiOptions options, TimeProvider timeProvider)
{
    private const string AmzDateFormat = "yyyyMMdd'T'HHmmss'Z'";
    private const int MaxCachedKeys = 1024;
    private static readonly TimeSpan MaxPresignedExpiry = TimeSpan.FromDays(7);
    private readonly ConcurrentDictionary<(string AccessKeyId, string Secret, string Scope), byte[]> _signingKeys = new();

    /// <summary>Checks the request; the signing context when the body must be verified chunk by chunk.</summary>
    public S3Signing? Authenticate(HttpContext context, S3Request target)
    {
        var mode = options.SigV4.Mode;
        if (mode == SigV4Mode.Off)
        {
            return null;
        }

        var request = context.Request;
        var header = request.Headers.Authorization.ToString();
        if (header.Length > 0)
        {
            return FromHeader(request, header, target, mode == SigV4Mode.Strict);
        }

        if (request.Query.ContainsKey("X-Amz-Signature"))
        {
            FromQuery(request, target, mode == SigV4Mode.Strict);
            return null;
        }

        if (request.Query.ContainsKey("AWSAccessKeyId"))
        {
            throw new S3ErrorException(new S3Error("InvalidRequest", 400, "Signature Version 2 is not supported; presign with SigV4 (s3v4)."));
        }

        throw new S3ErrorException(S3Error.AccessDenied("Anonymous requests are not allowed: sign the request with SigV4."));
    }

    private S3Signing? FromHeader(HttpRequest request, string header, S3Request target, bool strict)
    {
        var authorization = SigV4Authorization.TryParse(header, out var problem)
            ?? throw new S3ErrorException(new S3Error("AuthorizationHeaderMalformed", 400, "The authorization header is malformed; " + problem));
        var amzDate = request.Headers["x-amz-date"].ToString();
        if (!TryParseAmzDate(amzDate, out var signedAt))
        {
            throw new S3ErrorException(S3Error.AccessDenied("AWS authentication requires a valid Date or x-amz-date header"));
        }

        var payloadHash = request.Headers[S3Request.ContentSha256Header].ToString();
        if (payloadHash.Length == 0)
        {
            throw new S3ErrorException(new S3Error("InvalidRequest", 400, "Missing required header for this request: x-amz-content-sha256"));
        }

        if (!strict)
        {
            return null;
        }

        var secret = Secret(authorization.AccessKeyId);
        CheckScope(authorization, amzDate, signedAt);
        foreach (var name in authorization.SignedHeaders)
        {
            if (!request.Headers.ContainsKey(name))
            {
                throw new S3ErrorException(S3Error.AccessDenied($"The signed header {name} is missing from the request."));
            }
        }

        var canonical = SigV4Canonicalizer.CanonicalRequest(request.Method, target.RawTarget, request.Headers, authorization.SignedHeaders, payloadHash, s3: true);
        var signingKey = SigningKey(authorization, secret);
        Verify(signingKey, amzDate, authorization, canonical);
        return new S3Signing(signingKey, amzDate, authorization.Scope, authorization.Signature);
    }

    private void FromQuery(HttpRequest request, S3Request target, bool strict)
    {
        var query = request.Query;
        if (query["X-Amz-Algorithm"] != SigV4.Algorithm)
        {
            throw new S3ErrorException(new S3Error("AuthorizationQueryParametersError", 400, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\""));
        }

        var header = $"{SigV4.Algorithm} Credential={query["X-Amz-Credential"]}, SignedHeaders={query["X-Amz-SignedHeaders"]}, Signature={query["X-Amz-Signature"]}";
        var authorization = SigV4Authorization.TryParse(header, out var problem)
            ?? throw new S3ErrorException(new S3Error("AuthorizationQueryParametersError", 400, "Query-string authentication is malformed; " + problem));
        var amzDate = query["X-Amz-Date"].ToString();
        if (!TryParseAmzDate(amzDate, out var signedAt)
            || !int.TryParse(query["X-Amz-Expires"], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || TimeSpan.FromSeconds(expires) > MaxPresignedExpiry)
        {
            throw new S3ErrorException(new S3Error("AuthorizationQueryParametersError", 400, "X-Amz-Date must be yyyyMMddTHHmmssZ and X-Amz-Expires a number of seconds up to 604800."));
        }

        if (timeProvider.GetUtcNow() > signedAt.AddSeconds(expires))
        {
            throw new S3ErrorException(S3Error.AccessDenied("Request has expired"));
        }

        if (!strict)
        {
            return;
        }

        var secret = Secret(authorization.AccessKeyId);
        if (authorization.Date != amzDate[..8] || authorization.Service != "s3")
        {
            throw new S3ErrorException(new S3Error("AuthorizationQueryParametersError", 400, "The credential must be scoped to the X-Amz-Date day and the service 's3'."));
        }

        var payloadHash = request.Headers[S3Request.ContentSha256Header].ToString() is { Length: > 0 } declared ? declared : "UNSIGNED-PAYLOAD";
        var canonical = SigV4Canonicalizer.CanonicalRequest(request.Method, target.RawTarget, request.Headers, authorization.SignedHeaders, payloadHash, s3: true);
        Verify(SigningKey(authorization, secret), amzDate, authorization, canonical);
    }

    private string Secret(string accessKeyId) =>
        options.SigV4.Credentials.TryGetValue(accessKeyId, out var secret)
            ? secret
            : throw new S3ErrorException(new S3Error("InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records."));

    private void CheckScope(SigV4Authorization authorization, string amzDate, DateTimeOffset signedAt)
    {
        var now = timeProvider.GetUtcNow();
        var skew = options.SigV4.MaxClockSkew;
        if (signedAt < now - skew || signedAt > now + skew)
        {
            throw new S3ErrorException(new S3Error("RequestTimeTooSkewed", 403, "The difference between the request time and the current time is too large."));
        }

        if (authorization.Date != amzDate[..8] || authorization.Service != "s3" || !authorization.SignedHeaders.Contains("host"))
        {
            throw new S3ErrorException(new S3Error(
                "AuthorizationHeaderMalformed",
                400,
                "The authorization header is malformed; the credential must be scoped to the x-amz-date day and the service 's3', and host must be signed."));
        }
    }

    private byte[] SigningKey(SigV4Authorization authorization, string secret)
    {
        if (_signingKeys.Count > MaxCachedKeys)
        {
            _signingKeys.Clear();
        }

        return _signingKeys.GetOrAdd((authorization.AccessKeyId, secret, authorization.Scope), _ => SigV4Canonicalizer.SigningKey(secret, authorization));
    }

    private static void Verify(byte[] signingKey, string amzDate, SigV4Authorization authorization, string canonical)
    {
        var expected = SigV4.Signature(signingKey, SigV4.StringToSign(amzDate, authorization.Scope, canonical));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(authorization.Signature)))
        {
            throw new S3ErrorException(S3Error.SignatureDoesNotMatch());
        }
    }

    private static bool TryParseAmzDate(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(text, AmzDateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
}
