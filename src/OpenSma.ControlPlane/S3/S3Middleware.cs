using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OpenSma.ControlPlane.S3;

/// <summary>
/// Claims the S3 requests on the shared HTTP address (see <see cref="S3Request.IsS3"/>) before the
/// Chime and Lambda endpoints see them, authenticates them and runs the operation. Everything
/// else passes through untouched.
/// </summary>
internal sealed partial class S3Middleware(
    RequestDelegate next,
    S3ApiOptions options,
    S3Authenticator authenticator,
    BucketOperations buckets,
    ObjectOperations objects,
    ListObjectsOperation listing,
    ILogger<S3Middleware> logger)
{
    // Subresources of other S3 APIs: answered NotImplemented rather than mistaken for a plain GET/PUT.
    private static readonly string[] Unsupported =
    [
        "acl", "tagging", "uploads", "uploadId", "partNumber", "versioning", "versions", "policy", "cors",
        "lifecycle", "website", "encryption", "replication", "notification", "object-lock", "retention",
        "legal-hold", "attributes", "select", "restore", "torrent", "logging", "ownershipControls",
        "publicAccessBlock", "accelerate", "requestPayment", "analytics", "inventory", "metrics", "intelligent-tiering",
    ];

    public async Task InvokeAsync(HttpContext context)
    {
        if (!S3Request.IsS3(context.Request, options))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var requestId = Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();
        context.Response.Headers["x-amz-request-id"] = requestId;
        try
        {
            var target = S3Request.Parse(context, options);
            var signing = authenticator.Authenticate(context, target);
            await DispatchAsync(context, target, signing).ConfigureAwait(false);
        }
        catch (S3ErrorException ex)
        {
            if (!context.Response.HasStarted)
            {
                await S3Responses.WriteErrorAsync(context, ex.Error, requestId).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            LogFailure(logger, ex, context.Request.Method, context.Request.Path);
            if (!context.Response.HasStarted)
            {
                await S3Responses.WriteErrorAsync(context, S3Error.InternalError("We encountered an internal error. Please try again."), requestId).ConfigureAwait(false);
            }
        }
    }

    private Task DispatchAsync(HttpContext context, S3Request target, S3Signing? signing)
    {
        var method = context.Request.Method;
        var query = context.Request.Query;
        if (Unsupported.FirstOrDefault(query.ContainsKey) is { } subresource)
        {
            throw new S3ErrorException(S3Error.NotImplemented($"The '{subresource}' subresource"));
        }

        if (target.Bucket is not { } bucket)
        {
            return HttpMethods.IsGet(method) ? buckets.ListBucketsAsync(context) : throw MethodNotAllowed();
        }

        if (target.Key is not { } key)
        {
            return method switch
            {
                _ when HttpMethods.IsGet(method) && query.ContainsKey("location") => buckets.LocationAsync(context, bucket),
                _ when HttpMethods.IsGet(method) => listing.ListAsync(context, bucket),
                _ when HttpMethods.IsHead(method) => buckets.HeadAsync(context, bucket),
                _ when HttpMethods.IsPut(method) => buckets.CreateAsync(context, bucket, signing),
                _ when HttpMethods.IsPost(method) && query.ContainsKey("delete") => buckets.DeleteObjectsAsync(context, bucket, signing),
                _ when HttpMethods.IsDelete(method) => throw new S3ErrorException(S3Error.NotImplemented("DeleteBucket")),
                _ => throw MethodNotAllowed(),
            };
        }

        return method switch
        {
            _ when HttpMethods.IsPut(method) => objects.PutAsync(context, bucket, key, signing),
            _ when HttpMethods.IsGet(method) => objects.GetAsync(context, bucket, key, head: false),
            _ when HttpMethods.IsHead(method) => objects.GetAsync(context, bucket, key, head: true),
            _ when HttpMethods.IsDelete(method) => objects.DeleteAsync(context, bucket, key),
            _ => throw MethodNotAllowed(),
        };
    }

    private static S3ErrorException MethodNotAllowed() =>
        new(new S3Error("MethodNotAllowed", StatusCodes.Status405MethodNotAllowed, "The specified method is not allowed against this resource."));

    [LoggerMessage(Level = LogLevel.Error, Message = "S3 {Method} {Path} failed")]
    private static partial void LogFailure(ILogger logger, Exception exception, string method, string path);
}
