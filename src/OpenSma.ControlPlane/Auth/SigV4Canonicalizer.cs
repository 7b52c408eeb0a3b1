using Microsoft.AspNetCore.Http;
using OpenSma.Aws.Signing;

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
        var canonicalHeaders = signedHeaders
            .Select(name => new KeyValuePair<string, string>(name, SigV4.CanonicalHeaderValue(string.Join(',', headers[name].Select(v => v ?? "")))))
            .ToList();
        return SigV4.CanonicalRequest(
            method,
            s3 ? SigV4.CanonicalS3Uri(rawPath) : SigV4.CanonicalUri(rawPath),
            SigV4.CanonicalQuery(rawQuery, s3 ? "X-Amz-Signature" : null),
            canonicalHeaders,
            payloadHash);
    }

    /// <summary>The derived key for an Authorization's scope.</summary>
    public static byte[] SigningKey(string secretKey, SigV4Authorization authorization) =>
        SigV4.SigningKey(secretKey, authorization.Date, authorization.Region, authorization.Service);
}
