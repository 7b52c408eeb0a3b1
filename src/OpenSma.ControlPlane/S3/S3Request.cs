using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace OpenSma.ControlPlane.S3;

/// <summary>
/// Which requests on the shared HTTP address are S3's, and the bucket and key they address.
/// S3 clients sign with the credential scope service <c>s3</c> (the Chime API's is <c>chime</c>,
/// Lambda's <c>lambda</c>), and always send <c>x-amz-content-sha256</c>, even unsigned.
/// </summary>
internal sealed record S3Request(string? Bucket, string? Key, string RawTarget)
{
    public const string ContentSha256Header = "x-amz-content-sha256";

    public static bool IsS3(HttpRequest request, S3ApiOptions options)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length > 0)
        {
            return authorization.Contains("/s3/aws4_request", StringComparison.Ordinal);
        }

        if (request.Query["X-Amz-Credential"].ToString() is { Length: > 0 } credential)
        {
            return credential.EndsWith("/s3/aws4_request", StringComparison.Ordinal);
        }

        // A SigV2 presigned URL: claimed so that it gets an S3 answer saying SigV2 is not supported.
        return request.Query.ContainsKey("AWSAccessKeyId")
            || VirtualHostBucket(request, options) is not null
            || request.Headers.ContainsKey(ContentSha256Header);
    }

    public static S3Request Parse(HttpContext context, S3ApiOptions options)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget
            ?? (context.Request.PathBase + context.Request.Path + context.Request.QueryString).ToString();
        var query = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var path = Uri.UnescapeDataString(query < 0 ? rawTarget : rawTarget[..query]);
        path = path.StartsWith('/') ? path[1..] : path;

        if (VirtualHostBucket(context.Request, options) is { } hostBucket)
        {
            return new S3Request(hostBucket, path.Length == 0 ? null : path, rawTarget);
        }

        if (path.Length == 0)
        {
            return new S3Request(null, null, rawTarget);
        }

        var slash = path.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 || slash == path.Length - 1
            ? new S3Request(slash < 0 ? path : path[..slash], null, rawTarget)
            : new S3Request(path[..slash], path[(slash + 1)..], rawTarget);
    }

    /// <summary>The bucket named by a virtual-hosted-style host (<c>bucket.s3.localhost</c>), if any.</summary>
    private static string? VirtualHostBucket(HttpRequest request, S3ApiOptions options)
    {
        if (options.VirtualHostSuffix is not { Length: > 0 } suffix)
        {
            return null;
        }

        var host = request.Host.Host;
        return host.Length > suffix.Length + 1 && host.EndsWith("." + suffix, StringComparison.OrdinalIgnoreCase)
            ? host[..^(suffix.Length + 1)]
            : null;
    }
}
