using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OpenSma.Functions.Remote;

/// <summary>
/// AWS Signature Version 4 for one request (header form), as the AWS General Reference
/// describes it: canonical request, string to sign, derived key, signature.
/// </summary>
internal static class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    public static void Sign(
        HttpRequestMessage request, ReadOnlySpan<byte> body, string region, string service,
        string accessKeyId, string secretAccessKey, string? sessionToken, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var payloadHash = Hex(SHA256.HashData(body));

        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port.ToString(CultureInfo.InvariantCulture)}",
            ["x-amz-date"] = amzDate,
            ["x-amz-content-sha256"] = payloadHash,
        };
        if (!string.IsNullOrEmpty(sessionToken))
            headers["x-amz-security-token"] = sessionToken;
        if (request.Content?.Headers.ContentType is { } contentType)
            headers["content-type"] = contentType.ToString();

        var signedHeaders = string.Join(';', headers.Keys);
        var canonical = CanonicalRequest(request.Method.Method, CanonicalUri(uri.AbsolutePath), CanonicalQuery(uri.Query), headers, signedHeaders, payloadHash);
        var scope = $"{date}/{region}/{service}/aws4_request";
        var signature = Signature(secretAccessKey, date, region, service, StringToSign(amzDate, scope, canonical));

        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        request.Headers.TryAddWithoutValidation("X-Amz-Content-Sha256", payloadHash);
        if (!string.IsNullOrEmpty(sessionToken))
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", sessionToken);
        request.Headers.TryAddWithoutValidation("Authorization",
            $"{Algorithm} Credential={accessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
    }

    public static string CanonicalRequest(
        string method, string canonicalUri, string canonicalQuery,
        IReadOnlyDictionary<string, string> sortedHeaders, string signedHeaders, string payloadHash)
    {
        var text = new StringBuilder();
        text.Append(method).Append('\n').Append(canonicalUri).Append('\n').Append(canonicalQuery).Append('\n');
        foreach (var (name, value) in sortedHeaders.OrderBy(h => h.Key, StringComparer.Ordinal))
            text.Append(name).Append(':').Append(value.Trim()).Append('\n');
        text.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);
        return text.ToString();
    }

    public static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

    public static string Signature(string secretAccessKey, string date, string region, string service, string stringToSign)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        key = HMACSHA256.HashData(key, "aws4_request"u8);
        return Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
    }

    /// <summary>
    /// Services other than S3 sign the path as sent, URI-encoded once more (so "%3A" signs as "%253A").
    /// </summary>
    public static string CanonicalUri(string escapedPath) =>
        escapedPath.Length == 0 ? "/" : string.Join('/', escapedPath.Split('/').Select(Encode));

    public static string CanonicalQuery(string query)
    {
        if (query.Length <= 1)
            return "";
        var pairs = query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p =>
        {
            var eq = p.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(eq < 0 ? p : p[..eq]);
            var value = eq < 0 ? "" : Uri.UnescapeDataString(p[(eq + 1)..]);
            return (Key: Encode(key), Value: Encode(value));
        });
        return string.Join('&', pairs.OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value}"));
    }

    /// <summary>RFC 3986 encoding with AWS's unreserved set and upper-case hex.</summary>
    public static string Encode(string value)
    {
        var text = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
                text.Append(c);
            else
                text.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
