using System.Globalization;
using Microsoft.AspNetCore.Http;
using OpenSma.Storage.Objects;

namespace OpenSma.ControlPlane.S3;

/// <summary>PutObject, GetObject (with a single byte Range), HeadObject and DeleteObject.</summary>
internal sealed class ObjectOperations(IObjectStore store, S3ApiOptions options)
{
    private const string MetaPrefix = "x-amz-meta-";

    public async Task PutAsync(HttpContext context, string bucket, string key, S3Signing? signing)
    {
        if (context.Request.Headers.ContainsKey("x-amz-copy-source"))
        {
            throw new S3ErrorException(S3Error.NotImplemented("CopyObject"));
        }

        CheckNames(bucket, key);
        var content = await S3Payload.ReadAsync(context, signing, options.MaxObjectBytes, context.RequestAborted).ConfigureAwait(false);
        var user = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in context.Request.Headers)
        {
            if (name.StartsWith(MetaPrefix, StringComparison.OrdinalIgnoreCase))
            {
                user[name[MetaPrefix.Length..].ToLowerInvariant()] = value.ToString();
            }
        }

        var contentType = context.Request.ContentType is { Length: > 0 } type ? type : ObjectMetadata.DefaultContentType;
        var written = await store.PutAsync(bucket, key, content, new ObjectMetadata(contentType, user), context.RequestAborted).ConfigureAwait(false);
        if (written.Status != ObjectStatus.Ok)
        {
            throw new S3ErrorException(ErrorOf(written.Status, bucket, key, written.Message));
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.Headers.ETag = written.ETag;
        foreach (var (name, value) in context.Request.Headers)
        {
            // Echo the checksum the client sent, as S3 does, so SDKs can match it.
            if (name.StartsWith(PayloadChecksums.HeaderPrefix, StringComparison.OrdinalIgnoreCase) && !name.Equals("x-amz-checksum-type", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[name.ToLowerInvariant()] = value;
            }
        }
    }

    public async Task GetAsync(HttpContext context, string bucket, string key, bool head)
    {
        CheckNames(bucket, key);
        var read = head
            ? await store.HeadAsync(bucket, key, context.RequestAborted).ConfigureAwait(false)
            : await store.GetAsync(bucket, key, context.RequestAborted).ConfigureAwait(false);
        if (read.Status != ObjectStatus.Ok)
        {
            throw new S3ErrorException(ErrorOf(read.Status, bucket, key, read.Message));
        }

        var info = read.Info ?? new ObjectInfo(key, read.Content.Length, read.ETag ?? "\"\"", DateTimeOffset.UnixEpoch);
        var metadata = read.Metadata ?? ObjectMetadata.Default;
        var response = context.Response;
        var headers = response.Headers;
        headers.ETag = info.ETag;
        headers.LastModified = S3Responses.HttpDate(info.LastModified);
        headers.AcceptRanges = "bytes";
        headers.ContentType = context.Request.Query["response-content-type"].ToString() is { Length: > 0 } overridden ? overridden : metadata.ContentType;
        if (context.Request.Query["response-content-disposition"].ToString() is { Length: > 0 } disposition)
        {
            headers.ContentDisposition = disposition;
        }

        foreach (var (name, value) in metadata.UserMetadata)
        {
            headers[MetaPrefix + name] = value;
        }

        if (Precondition(context.Request, info) is { } status)
        {
            response.StatusCode = status;
            if (status == StatusCodes.Status412PreconditionFailed)
            {
                throw new S3ErrorException(new S3Error("PreconditionFailed", status, "At least one of the pre-conditions you specified did not hold"));
            }

            return;
        }

        var size = info.Size;
        var (offset, length) = (0L, size);
        if (context.Request.Headers.Range.ToString() is { Length: > 0 } range && ByteRange.TryParse(range, out var first, out var last))
        {
            if (!ByteRange.Resolve(first, last, size, out offset, out length))
            {
                headers.ContentRange = $"bytes */{size}";
                throw new S3ErrorException(new S3Error("InvalidRange", StatusCodes.Status416RangeNotSatisfiable, "The requested range is not satisfiable") { BucketName = bucket, Key = key });
            }

            response.StatusCode = StatusCodes.Status206PartialContent;
            headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {offset}-{offset + length - 1}/{size}");
        }
        else
        {
            response.StatusCode = StatusCodes.Status200OK;
        }

        response.ContentLength = length;
        if (!head)
        {
            await response.Body.WriteAsync(read.Content.Slice((int)offset, (int)length), context.RequestAborted).ConfigureAwait(false);
        }
    }

    public async Task DeleteAsync(HttpContext context, string bucket, string key)
    {
        CheckNames(bucket, key);
        var status = await store.DeleteAsync(bucket, key, context.RequestAborted).ConfigureAwait(false);
        // Deleting a key that is not there succeeds in S3; a missing bucket does not.
        if (status is not (ObjectStatus.Ok or ObjectStatus.NoSuchKey))
        {
            throw new S3ErrorException(ErrorOf(status, bucket, key, null));
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    public static S3Error ErrorOf(ObjectStatus status, string bucket, string? key, string? message) => status switch
    {
        ObjectStatus.NoSuchBucket => S3Error.NoSuchBucket(bucket),
        ObjectStatus.NoSuchKey => S3Error.NoSuchKey(bucket, key ?? ""),
        ObjectStatus.AccessDenied => S3Error.AccessDenied(),
        ObjectStatus.InvalidName when key is null => S3Error.InvalidBucketName(bucket),
        ObjectStatus.InvalidName => S3Error.InvalidKey(bucket, key),
        ObjectStatus.BucketExists => new S3Error("BucketAlreadyOwnedByYou", StatusCodes.Status409Conflict, "Your previous request to create the named bucket succeeded and you already own it.") { BucketName = bucket },
        _ => S3Error.InternalError(message ?? "The object store failed."),
    };

    private static void CheckNames(string bucket, string key)
    {
        if (!FolderObjectStore.IsValidBucket(bucket))
        {
            throw new S3ErrorException(S3Error.InvalidBucketName(bucket));
        }

        if (key.Length > 1024)
        {
            throw new S3ErrorException(new S3Error("KeyTooLongError", StatusCodes.Status400BadRequest, "Your key is too long") { BucketName = bucket, Key = key });
        }
    }

    /// <summary>If-Match / If-None-Match: 412 or 304, or null to serve the object.</summary>
    private static int? Precondition(HttpRequest request, ObjectInfo info)
    {
        if (request.Headers.IfMatch.ToString() is { Length: > 0 } match && !Matches(match, info.ETag))
        {
            return StatusCodes.Status412PreconditionFailed;
        }

        if (request.Headers.IfNoneMatch.ToString() is { Length: > 0 } noneMatch && Matches(noneMatch, info.ETag))
        {
            return StatusCodes.Status304NotModified;
        }

        return null;
    }

    private static bool Matches(string header, string etag) =>
        header.Split(',', StringSplitOptions.TrimEntries).Any(t => t == "*" || t.Trim('"') == etag.Trim('"'));
}
