using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OpenSma.Aws.Signing;

/// <summary>
/// The pieces of AWS Signature Version 4 that signing and verifying share: canonical request,
/// string to sign, derived key and signature, with AWS's flavour of RFC 3986 encoding. Callers
/// decide the canonical URI, because services differ: S3 signs the path decoded and encoded once,
/// every other service signs the path as sent, encoded once more.
/// </summary>
public static class SigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>The SHA-256 of an empty payload, hex.</summary>
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>The X-Amz-Date form of a time: <c>yyyyMMddTHHmmssZ</c>.</summary>
    public static string AmzDate(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    public static string Scope(string date, string region, string service) => $"{date}/{region}/{service}/aws4_request";

    /// <summary>The derived key depends only on the secret and the scope, so callers may cache it for the day.</summary>
    public static byte[] SigningKey(string secretAccessKey, string date, string region, string service)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }

    public static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

    public static string Signature(byte[] signingKey, string stringToSign) =>
        Hex(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    public static string PayloadHash(ReadOnlySpan<byte> payload) => Hex(SHA256.HashData(payload));

    /// <summary>
    /// The canonical request. <paramref name="headers"/> are lower-case names with their
    /// canonical values (<see cref="CanonicalHeaderValue"/>), in the order they are signed (sorted).
    /// </summary>
    public static string CanonicalRequest(
        string method,
        string canonicalUri,
        string canonicalQuery,
        IReadOnlyList<KeyValuePair<string, string>> headers,
        string payloadHash)
    {
        var text = new StringBuilder();
        text.Append(method).Append('\n').Append(canonicalUri).Append('\n').Append(canonicalQuery).Append('\n');
        foreach (var (name, value) in headers)
        {
            text.Append(name).Append(':').Append(value).Append('\n');
        }

        text.Append('\n').Append(SignedHeaders(headers)).Append('\n').Append(payloadHash);
        return text.ToString();
    }

    public static string SignedHeaders(IReadOnlyList<KeyValuePair<string, string>> headers) =>
        string.Join(';', headers.Select(h => h.Key));

    /// <summary>A path for any service but S3: the path as sent (already escaped) is encoded once more.</summary>
    public static string CanonicalUri(string escapedPath) =>
        escapedPath.Length == 0 ? "/" : Encode(escapedPath, keepSlash: true);

    /// <summary>S3's path rule: decoded, then encoded once.</summary>
    public static string CanonicalS3Uri(string escapedPath) =>
        escapedPath.Length == 0 ? "/" : Encode(Uri.UnescapeDataString(escapedPath), keepSlash: true);

    /// <summary>
    /// Query pairs decoded, re-encoded and sorted by name then value. A leading '?' is ignored;
    /// <paramref name="excluded"/> leaves one parameter out (a presigned URL's X-Amz-Signature).
    /// </summary>
    public static string CanonicalQuery(string query, string? excluded = null)
    {
        if (query.StartsWith('?'))
        {
            query = query[1..];
        }

        if (query.Length == 0)
        {
            return "";
        }

        var pairs = query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair =>
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
                var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
                return (Name: Encode(name), Value: Encode(value));
            })
            .Where(p => excluded is null || p.Name != excluded)
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join('&', pairs.Select(p => p.Name + "=" + p.Value));
    }

    /// <summary>Trimmed, with runs of spaces and tabs folded to one space.</summary>
    public static string CanonicalHeaderValue(string value)
    {
        var builder = new StringBuilder(value.Length);
        var lastWasSpace = false;
        foreach (var c in value.Trim())
        {
            var isSpace = c is ' ' or '\t';
            if (isSpace && lastWasSpace)
            {
                continue;
            }

            builder.Append(isSpace ? ' ' : c);
            lastWasSpace = isSpace;
        }

        return builder.ToString();
    }

    /// <summary>RFC 3986 encoding of every UTF-8 byte but the unreserved characters (and '/' in paths), hex in upper case.</summary>
    public static string Encode(string text, bool keepSlash = false)
    {
        var builder = new StringBuilder(text.Length * 2);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || (keepSlash && c == '/'))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
