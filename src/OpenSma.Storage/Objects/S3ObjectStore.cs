using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace OpenSma.Storage.Objects;

/// <summary>
/// Buckets on an S3-compatible service through AWSSDK.S3: AWS itself, MinIO, or another OpenSMA's
/// S3 endpoint. Addressing is path-style by default so any endpoint URL works without DNS.
/// </summary>
public sealed class S3ObjectStore : IObjectStore, IDisposable
{
    private readonly AmazonS3Client _client;

    public S3ObjectStore(S3BackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonS3Config { ForcePathStyle = options.ForcePathStyle, AuthenticationRegion = options.Region };
        if (options.ServiceUrl is { } url)
        {
            config.ServiceURL = url;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }

        _client = options.AccessKeyId is { } id && options.SecretAccessKey is { } secret
            ? new AmazonS3Client(new BasicAWSCredentials(id, secret), config)
            : new AmazonS3Client(config);
    }

    public BucketAccess AccessOf(string bucket) => BucketAccess.Full;

    public async ValueTask<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken cancellationToken)
    {
        var response = await _client.ListBucketsAsync(new ListBucketsRequest(), cancellationToken).ConfigureAwait(false);
        return (response.Buckets ?? []).Select(b => new BucketInfo(b.BucketName, Utc(b.CreationDate))).ToList();
    }

    public async ValueTask<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken)
    {
        try
        {
            await _client.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = bucket }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            return false;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.NotImplemented or HttpStatusCode.BadRequest or HttpStatusCode.MethodNotAllowed)
        {
            // Services without GetBucketLocation: a one-key listing answers the same question.
            var list = await ListAsync(bucket, null, null, 1, cancellationToken).ConfigureAwait(false);
            return list.Status == ObjectStatus.Ok;
        }
    }

    public async ValueTask<ObjectStatus> CreateBucketAsync(string bucket, CancellationToken cancellationToken)
    {
        try
        {
            await _client.PutBucketAsync(new PutBucketRequest { BucketName = bucket }, cancellationToken).ConfigureAwait(false);
            return ObjectStatus.Ok;
        }
        catch (AmazonS3Exception ex)
        {
            return Status(ex);
        }
    }

    public async ValueTask<ObjectReadResult> GetAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key }, cancellationToken).ConfigureAwait(false);
            using var content = new MemoryStream(response.ContentLength > 0 ? (int)Math.Min(response.ContentLength, int.MaxValue) : 0);
            await response.ResponseStream.CopyToAsync(content, cancellationToken).ConfigureAwait(false);
            var info = new ObjectInfo(key, content.Length, response.ETag, Utc(response.LastModified));
            return new ObjectReadResult(ObjectStatus.Ok, content.ToArray(), response.ETag, null)
            {
                Info = info,
                Metadata = MetadataOf(response.Headers.ContentType, response.Metadata),
            };
        }
        catch (AmazonS3Exception ex)
        {
            return new ObjectReadResult(Status(ex), default, null, ex.Message);
        }
        catch (AmazonServiceException ex)
        {
            return new ObjectReadResult(ObjectStatus.Error, default, null, ex.Message);
        }
        catch (HttpRequestException ex)
        {
            return new ObjectReadResult(ObjectStatus.Error, default, null, ex.Message);
        }
    }

    public async ValueTask<ObjectReadResult> HeadAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key }, cancellationToken).ConfigureAwait(false);
            var info = new ObjectInfo(key, response.ContentLength, response.ETag, Utc(response.LastModified));
            return new ObjectReadResult(ObjectStatus.Ok, default, response.ETag, null)
            {
                Info = info,
                Metadata = MetadataOf(response.Headers.ContentType, response.Metadata),
            };
        }
        catch (AmazonS3Exception ex)
        {
            // HEAD answers carry no error body: a 404 does not say whether the bucket or the key is missing.
            var status = ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode is not "NoSuchBucket" ? ObjectStatus.NoSuchKey : Status(ex);
            return new ObjectReadResult(status, default, null, ex.Message);
        }
        catch (AmazonServiceException ex)
        {
            return new ObjectReadResult(ObjectStatus.Error, default, null, ex.Message);
        }
        catch (HttpRequestException ex)
        {
            return new ObjectReadResult(ObjectStatus.Error, default, null, ex.Message);
        }
    }

    public async ValueTask<ObjectWriteResult> PutAsync(string bucket, string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        try
        {
            using var stream = new MemoryStream(content.ToArray(), writable: false);
            var request = new PutObjectRequest { BucketName = bucket, Key = key, InputStream = stream, ContentType = metadata.ContentType, AutoCloseStream = false };
            foreach (var (name, value) in metadata.UserMetadata)
            {
                request.Metadata.Add(name, value);
            }

            var response = await _client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
            return new ObjectWriteResult(ObjectStatus.Ok, response.ETag, null);
        }
        catch (AmazonS3Exception ex)
        {
            return new ObjectWriteResult(Status(ex), null, ex.Message);
        }
        catch (AmazonServiceException ex)
        {
            return new ObjectWriteResult(ObjectStatus.Error, null, ex.Message);
        }
        catch (HttpRequestException ex)
        {
            return new ObjectWriteResult(ObjectStatus.Error, null, ex.Message);
        }
    }

    public async ValueTask<ObjectStatus> DeleteAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        try
        {
            // S3 deletes are idempotent and do not say whether the key existed: ask first.
            var head = await HeadAsync(bucket, key, cancellationToken).ConfigureAwait(false);
            if (head.Status != ObjectStatus.Ok)
            {
                return head.Status;
            }

            await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = key }, cancellationToken).ConfigureAwait(false);
            return ObjectStatus.Ok;
        }
        catch (AmazonS3Exception ex)
        {
            return Status(ex);
        }
        catch (HttpRequestException)
        {
            return ObjectStatus.Error;
        }
    }

    public async ValueTask<ObjectListResult> ListAsync(string bucket, string? prefix, string? startAfter, int maxKeys, CancellationToken cancellationToken)
    {
        try
        {
            var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, StartAfter = startAfter, MaxKeys = Math.Clamp(maxKeys, 0, 1000) };
            var response = await _client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            var objects = (response.S3Objects ?? [])
                .Select(o => new ObjectInfo(o.Key, o.Size ?? 0, o.ETag, Utc(o.LastModified)))
                .ToList();
            return new ObjectListResult(ObjectStatus.Ok, objects, response.IsTruncated ?? false, null);
        }
        catch (AmazonS3Exception ex)
        {
            return ObjectListResult.Failed(Status(ex), ex.Message);
        }
        catch (HttpRequestException ex)
        {
            return ObjectListResult.Failed(ObjectStatus.Error, ex.Message);
        }
    }

    public void Dispose() => _client.Dispose();

    private static ObjectMetadata MetadataOf(string? contentType, MetadataCollection metadata)
    {
        var user = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in metadata.Keys)
        {
            // The SDK reports user metadata with its x-amz-meta- prefix.
            var bare = name.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase) ? name["x-amz-meta-".Length..] : name;
            user[bare] = metadata[name];
        }

        return new ObjectMetadata(contentType ?? ObjectMetadata.DefaultContentType, user);
    }

    private static DateTimeOffset Utc(DateTime? time) =>
        time is { } t ? new DateTimeOffset(t.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.UnixEpoch;

    private static ObjectStatus Status(AmazonS3Exception ex) => ex.ErrorCode switch
    {
        "NoSuchBucket" => ObjectStatus.NoSuchBucket,
        "NoSuchKey" => ObjectStatus.NoSuchKey,
        "AccessDenied" or "InvalidAccessKeyId" or "SignatureDoesNotMatch" => ObjectStatus.AccessDenied,
        "InvalidBucketName" or "KeyTooLongError" => ObjectStatus.InvalidName,
        "BucketAlreadyOwnedByYou" or "BucketAlreadyExists" => ObjectStatus.BucketExists,
        _ => ex.StatusCode switch
        {
            HttpStatusCode.Forbidden => ObjectStatus.AccessDenied,
            HttpStatusCode.NotFound => ObjectStatus.NoSuchKey,
            _ => ObjectStatus.Error,
        },
    };
}
