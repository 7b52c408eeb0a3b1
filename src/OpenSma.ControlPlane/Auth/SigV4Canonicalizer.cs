using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace OpenSma.ControlPlane.Auth;

/// <summary>
/// Rebuilds the SigV4 canonical request from what arrived on the wire. The canonical URI is the
/// raw request path percent-encoded a second time (non-S3 rule): <c>/phone-numbers/%2B1206…</c>
/// is signed as <c>/phone-numbers/%252B1206…</c>. S3 is the exception: its path is decoded and
/// encoded once, and a presigned URL's <c>X-Amz-Signature</c> is left out of the query.
/// </summary>
internal static class SigV4Canonicalizer
{
    public static string CanonicalRequest(
        string method,
        string rawTarget,
        IHeaderDictionary headers,
        IReadOnlyList<string> signedHeaders,
        string payloadHash,
        bool s3 = false)
    {
        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = queryStart < 0 ? rawTarget : rawTarget[..queryStart];
        var rawQuery = queryStart < 0 ? "" : rawTarget[(queryStart + 1)..];

        var builder = new StringBuilder();
        builder.Append(method).Append('\n');
        var path = s3 ? Uri.UnescapeDataString(rawPath) : rawPath;
        builder.Append(path.Length == 0 ? "/" : Encode(path, keepSlash: true)).Append('\n');
        builder.Append(CanonicalQuery(rawQuery, s3 ? "X-Amz-Signature" : null)).Append('\n');
        foreach (var name in signedHeaders)
        {
            builder.Append(name).Append(':').Append(CanonicalHeaderValue(headers[name])).Append('\n');
        }

        builder.Append('\n');
        builder.Append(string.Join(';', signedHeaders)).Append('\n');
        builder.Append(payloadHash);
        return builder.ToString();
    }

    public static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        $"{SigV4Authorization.Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

    public static string Signature(string secretKey, SigV4Authorization authorization, string stringToSign) =>
        Signature(SigningKey(secretKey, authorization), stringToSign);

    public static string Signature(byte[] signingKey, string stringToSign) =>
        Hex(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));

    /// <summary>The derived key depends only on the secret and the scope, so it can be reused all day.</summary>
    public static byte[] SigningKey(string secretKey, SigV4Authorization authorization)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretKey), Encoding.UTF8.GetBytes(authorization.Date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(authorization.Region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(authorization.Service));
        return HMACSHA256.HashData(key, "aws4_request"u8.ToArray());
    }

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>Query pairs decoded, re-encoded per RFC 3986 and sorted by name, then value.</summary>
    private static string CanonicalQuery(string rawQuery, string? excluded)
    {
        if (rawQuery.Length == 0)
        {
            return "";
        }

        var pairs = rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair =>
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                var name = eq < 0 ? pair : pair[..eq];
                var value = eq < 0 ? "" : pair[(eq + 1)..];
                return (Name: Encode(Uri.UnescapeDataString(name), keepSlash: false), Value: Encode(Uri.UnescapeDataString(value), keepSlash: false));
            })
            .Where(p => excluded is null || p.Name != excluded)
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join('&', pairs.Select(p => p.Name + "=" + p.Value));
    }

    private static string CanonicalHeaderValue(Microsoft.Extensions.Primitives.StringValues values)
    {
        var joined = string.Join(',', values.Select(v => v ?? ""));
        var builder = new StringBuilder(joined.Length);
        var lastWasSpace = false;
        foreach (var c in joined.Trim())
        {
            var isSpace = c == ' ' || c == '\t';
            if (isSpace && lastWasSpace)
            {
                continue;
            }

            builder.Append(isSpace ? ' ' : c);
            lastWasSpace = isSpace;
        }

        return builder.ToString();
    }

    /// <summary>RFC 3986 encoding of every byte except unreserved characters (and '/' in paths).</summary>
    private static string Encode(string text, bool keepSlash)
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
