using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using OpenSma.ControlPlane.Http;
using OpenSma.Aws.Signing;

namespace OpenSma.ControlPlane.Auth;

/// <summary>
/// SigV4 verification for every operation. Dev mode only requires a well-formed header; strict
/// mode checks the key pair, the clock skew, the signed headers and the signature, answering with
/// the 403 error types AWS uses.
/// </summary>
internal sealed class SigV4Filter(ControlPlaneOptions options, TimeProvider timeProvider) : IEndpointFilter
{
    private const string AmzDateFormat = "yyyyMMdd'T'HHmmss'Z'";
    private const int MaxCachedKeys = 1024;
    private readonly ConcurrentDictionary<(string AccessKeyId, string Secret, string Scope), byte[]> _signingKeys = new();

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var mode = options.SigV4.Mode;
        if (mode != SigV4Mode.Off)
        {
            await VerifyAsync(context.HttpContext, mode == SigV4Mode.Strict).ConfigureAwait(false);
        }

        return await next(context).ConfigureAwait(false);
    }

    private async Task VerifyAsync(HttpContext context, bool strict)
    {
        var request = context.Request;
        var header = request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            throw Denied("MissingAuthenticationTokenException", "Missing Authentication Token");
        }

        var authorization = SigV4Authorization.TryParse(header, out var problem)
            ?? throw Denied("IncompleteSignatureException", problem!);

        var amzDate = request.Headers["x-amz-date"].ToString();
        if (!DateTimeOffset.TryParseExact(amzDate, AmzDateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt))
        {
            throw Denied("IncompleteSignatureException", "Authorization requires a valid X-Amz-Date header (yyyyMMddTHHmmssZ).");
        }

        if (!authorization.SignedHeaders.Contains("host"))
        {
            throw Denied("IncompleteSignatureException", "SignedHeaders must include host.");
        }

        if (!strict)
        {
            return;
        }

        if (!options.SigV4.Credentials.TryGetValue(authorization.AccessKeyId, out var secret))
        {
            throw Denied("UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        var now = timeProvider.GetUtcNow();
        var skew = options.SigV4.MaxClockSkew;
        if (signedAt < now - skew || signedAt > now + skew)
        {
            throw Denied(
                "InvalidSignatureException",
                $"Signature expired: {amzDate} is now earlier than {(now - skew).ToString(AmzDateFormat, CultureInfo.InvariantCulture)} ({now.ToString(AmzDateFormat, CultureInfo.InvariantCulture)} - {skew.TotalMinutes} min.)");
        }

        if (authorization.Date != amzDate[..8])
        {
            throw Denied("InvalidSignatureException", $"Credential should be scoped to a valid date, not '{authorization.Date}'.");
        }

        if (authorization.Service != "chime")
        {
            throw Denied("InvalidSignatureException", $"Credential should be scoped to correct service: 'chime'.");
        }

        if (!authorization.SignedHeaders.Contains("x-amz-date"))
        {
            throw Denied("InvalidSignatureException", "SignedHeaders must include x-amz-date.");
        }

        foreach (var name in authorization.SignedHeaders)
        {
            if (!request.Headers.ContainsKey(name))
            {
                throw Denied("InvalidSignatureException", $"The signed header {name} is missing from the request.");
            }
        }

        var payloadHash = await HashBodyAsync(request, context.RequestAborted).ConfigureAwait(false);
        var declaredHash = request.Headers["x-amz-content-sha256"].ToString();
        if (declaredHash.Length > 0 && !string.Equals(declaredHash, payloadHash, StringComparison.OrdinalIgnoreCase))
        {
            throw Denied("InvalidSignatureException", "The provided x-amz-content-sha256 header does not match what was computed.");
        }

        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (request.PathBase + request.Path + request.QueryString).ToString();
        var canonical = SigV4Canonicalizer.CanonicalRequest(request.Method, rawTarget, request.Headers, authorization.SignedHeaders, payloadHash);
        var signingKey = _signingKeys.GetOrAdd((authorization.AccessKeyId, secret, authorization.Scope), _ => SigV4Canonicalizer.SigningKey(secret, authorization));
        if (_signingKeys.Count > MaxCachedKeys)
        {
            _signingKeys.Clear();
        }

        var expected = SigV4.Signature(signingKey, SigV4.StringToSign(amzDate, authorization.Scope, canonical));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(authorization.Signature)))
        {
            throw Denied(
                "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.");
        }
    }

    /// <summary>Hashes the body and rewinds it so the operation can still read it.</summary>
    private static async Task<string> HashBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        request.EnableBuffering();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            sha.AppendData(buffer, 0, read);
        }

        request.Body.Position = 0;
        return SigV4.Hex(sha.GetHashAndReset());
    }

    private static AwsErrorException Denied(string type, string message) =>
        new(new AwsError(type, type.Replace("Exception", "", StringComparison.Ordinal), StatusCodes.Status403Forbidden, message));
}
