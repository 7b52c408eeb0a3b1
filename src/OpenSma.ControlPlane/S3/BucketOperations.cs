using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using OpenSma.Storage.Objects;
using static OpenSma.ControlPlane.S3.S3Responses;

namespace OpenSma.ControlPlane.S3;

/// <summary>ListBuckets, CreateBucket, HeadBucket, GetBucketLocation and DeleteObjects.</summary>
internal sealed class BucketOperations(IObjectStore store, S3ApiOptions options)
{
    public async Task ListBucketsAsync(HttpContext context)
    {
        var buckets = await store.ListBucketsAsync(context.RequestAborted).ConfigureAwait(false);
        await WriteXmlAsync(context, 200, E(
            "ListAllMyBucketsResult",
            E("Owner", E("ID", options.OwnerId), E("DisplayName", options.OwnerId)),
            E("Buckets", buckets.Select(b => E("Bucket", E("Name", b.Name), E("CreationDate", Timestamp(b.CreationDate))))))).ConfigureAwait(false);
    }

    public async Task CreateAsync(HttpContext context, string bucket, S3Signing? signing)
    {
        // The body, when present, is a CreateBucketConfiguration naming a region: one region here.
        await S3Payload.ReadAsync(context, signing, 64 * 1024, context.RequestAborted).ConfigureAwait(false);
        var status = FolderObjectStore.IsValidBucket(bucket)
            ? await store.CreateBucketAsync(bucket, context.RequestAborted).ConfigureAwait(false)
            : ObjectStatus.InvalidName;
        if (status != ObjectStatus.Ok)
        {
            throw new S3ErrorException(ObjectOperations.ErrorOf(status, bucket, null, null));
        }

        context.Response.StatusCode = 200;
        context.Response.Headers.Location = "/" + bucket;
    }

    public async Task HeadAsync(HttpContext context, string bucket)
    {
        if (!await store.BucketExistsAsync(bucket, context.RequestAborted).ConfigureAwait(false))
        {
            throw new S3ErrorException(S3Error.NoSuchBucket(bucket));
        }

        context.Response.StatusCode = 200;
        context.Response.Headers["x-amz-bucket-region"] = options.Region;
    }

    public async Task LocationAsync(HttpContext context, string bucket)
    {
        await HeadAsync(context, bucket).ConfigureAwait(false);
        // us-east-1 is reported as an empty constraint, as S3 does.
        await WriteXmlAsync(context, 200, E("LocationConstraint", options.Region == "us-east-1" ? null : options.Region)).ConfigureAwait(false);
    }

    /// <summary>DeleteObjects (POST ?delete): what <c>aws s3 rm --recursive</c> sends.</summary>
    public async Task DeleteObjectsAsync(HttpContext context, string bucket, S3Signing? signing)
    {
        var body = await S3Payload.ReadAsync(context, signing, 2 * 1024 * 1024, context.RequestAborted).ConfigureAwait(false);
        XElement request;
        try
        {
            using var stream = new MemoryStream(body);
            request = XElement.Load(stream);
        }
        catch (System.Xml.XmlException)
        {
            throw new S3ErrorException(new S3Error("MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema."));
        }

        if (!await store.BucketExistsAsync(bucket, context.RequestAborted).ConfigureAwait(false))
        {
            throw new S3ErrorException(S3Error.NoSuchBucket(bucket));
        }

        var quiet = string.Equals(request.Elements().FirstOrDefault(e => e.Name.LocalName == "Quiet")?.Value, "true", StringComparison.OrdinalIgnoreCase);
        var results = new List<XElement>();
        foreach (var key in request.Elements().Where(e => e.Name.LocalName == "Object").Select(o => o.Elements().FirstOrDefault(e => e.Name.LocalName == "Key")?.Value))
        {
            if (key is null)
            {
                continue;
            }

            var status = await store.DeleteAsync(bucket, key, context.RequestAborted).ConfigureAwait(false);
            if (status is ObjectStatus.Ok or ObjectStatus.NoSuchKey)
            {
                if (!quiet)
                {
                    results.Add(E("Deleted", E("Key", key)));
                }
            }
            else
            {
                var error = ObjectOperations.ErrorOf(status, bucket, key, null);
                results.Add(E("Error", E("Key", key), E("Code", error.Code), E("Message", error.Message)));
            }
        }

        await WriteXmlAsync(context, 200, E("DeleteResult", results)).ConfigureAwait(false);
    }
}
