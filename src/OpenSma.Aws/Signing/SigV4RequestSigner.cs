using System.Globalization;

namespace OpenSma.Aws.Signing;

/// <summary>
/// Signs an outgoing request in the header form: adds X-Amz-Date, X-Amz-Content-Sha256, the
/// session token when there is one, and Authorization. Signs host, the content type and every
/// x-amz-* header already on the request.
/// </summary>
public static class SigV4RequestSigner
{
    public static void Sign(
        HttpRequestMessage request,
        ReadOnlySpan<byte> body,
        AwsCredentials credentials,
        string region,
        string service,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credentials);
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        var amzDate = SigV4.AmzDate(now);
        var payloadHash = SigV4.PayloadHash(body);

        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        request.Headers.TryAddWithoutValidation("X-Amz-Content-Sha256", payloadHash);
        if (!string.IsNullOrEmpty(credentials.SessionToken))
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", credentials.SessionToken);
        }

        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port.ToString(CultureInfo.InvariantCulture)}",
        };
        foreach (var (name, values) in request.Headers)
        {
            var lower = name.ToLowerInvariant();
            if (lower.StartsWith("x-amz-", StringComparison.Ordinal))
            {
                headers[lower] = SigV4.CanonicalHeaderValue(string.Join(',', values));
            }
        }

        if (request.Content?.Headers.ContentType is { } contentType)
        {
            headers["content-type"] = SigV4.CanonicalHeaderValue(contentType.ToString());
        }

        var signed = headers.ToList();
        var date = amzDate[..8];
        var scope = SigV4.Scope(date, region, service);
        var canonical = SigV4.CanonicalRequest(request.Method.Method, SigV4.CanonicalUri(uri.AbsolutePath), SigV4.CanonicalQuery(uri.Query), signed, payloadHash);
        var signature = SigV4.Signature(SigV4.SigningKey(credentials.SecretAccessKey, date, region, service), SigV4.StringToSign(amzDate, scope, canonical));
        request.Headers.TryAddWithoutValidation(
            "Authorization",
            $"{SigV4.Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={SigV4.SignedHeaders(signed)}, Signature={signature}");
    }
}
