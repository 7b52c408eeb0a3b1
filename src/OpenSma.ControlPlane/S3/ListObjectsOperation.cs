using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using OpenSma.Storage.Objects;
using static OpenSma.ControlPlane.S3.S3Responses;

namespace OpenSma.ControlPlane.S3;

/// <summary>
/// ListObjectsV2 (and the original ListObjects): prefix, delimiter grouping into CommonPrefixes,
/// max-keys, continuation tokens and <c>encoding-type=url</c>, over any store's ordered listing.
/// </summary>
internal sealed class ListObjectsOperation(IObjectStore store)
{
    private const int MaxKeysLimit = 1000;

    // Sorts after every key that starts with a common prefix, so listing can skip past them.
    private const char AfterEverything = '\uffff';

    public async Task ListAsync(HttpContext context, string bucket)
    {
        var query = context.Request.Query;
        var v2 = query["list-type"] == "2";
        var prefix = query["prefix"].ToString();
        var delimiter = query["delimiter"].ToString();
        var urlEncoded = query["encoding-type"] == "url";
        var maxKeys = MaxKeysLimit;
        if (query["max-keys"].ToString() is { Length: > 0 } text
            && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out maxKeys)))
        {
            throw new S3ErrorException(S3Error.InvalidArgument("Provided max-keys not an integer or within integer range"));
        }

        maxKeys = Math.Min(maxKeys, MaxKeysLimit);
        var token = query["continuation-token"].ToString();
        var startAfter = v2 ? query["start-after"].ToString() : query["marker"].ToString();
        var cursor = token.Length > 0 ? DecodeToken(token) : startAfter.Length > 0 ? startAfter : null;

        var contents = new List<ObjectInfo>();
        var prefixes = new List<string>();
        string? lastAdded = null;
        var truncated = false;
        while (!truncated && maxKeys > 0)
        {
            var page = await store.ListAsync(bucket, prefix.Length > 0 ? prefix : null, cursor, MaxKeysLimit, context.RequestAborted).ConfigureAwait(false);
            if (page.Status != ObjectStatus.Ok)
            {
                throw new S3ErrorException(ObjectOperations.ErrorOf(page.Status, bucket, null, page.Message));
            }

            var jumped = false;
            foreach (var item in page.Objects)
            {
                cursor = item.Key;
                var at = delimiter.Length > 0 ? item.Key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal) : -1;
                var common = at >= 0 ? item.Key[..(at + delimiter.Length)] : null;
                if (contents.Count + prefixes.Count == maxKeys)
                {
                    truncated = true;
                    break;
                }

                if (common is not null)
                {
                    prefixes.Add(common);
                    lastAdded = common + AfterEverything;
                    // Skip the rest of the group without reading it.
                    cursor = lastAdded;
                    jumped = true;
                    break;
                }

                contents.Add(item);
                lastAdded = item.Key;
            }

            if (!jumped && !truncated && !page.IsTruncated)
            {
                break;
            }
        }

        string Enc(string value) => urlEncoded ? Uri.EscapeDataString(value) : value;
        var body = E(
            "ListBucketResult",
            E("Name", bucket),
            E("Prefix", Enc(prefix)),
            v2 ? null : E("Marker", Enc(startAfter)),
            truncated && !v2 && delimiter.Length > 0 ? E("NextMarker", Enc(lastAdded!.TrimEnd(AfterEverything))) : null,
            delimiter.Length > 0 ? E("Delimiter", Enc(delimiter)) : null,
            E("MaxKeys", maxKeys),
            urlEncoded ? E("EncodingType", "url") : null,
            v2 ? E("KeyCount", contents.Count + prefixes.Count) : null,
            E("IsTruncated", truncated ? "true" : "false"),
            v2 && token.Length > 0 ? E("ContinuationToken", token) : null,
            v2 && truncated ? E("NextContinuationToken", EncodeToken(lastAdded!)) : null,
            v2 && startAfter.Length > 0 ? E("StartAfter", Enc(startAfter)) : null,
            contents.Select(o => E(
                "Contents",
                E("Key", Enc(o.Key)),
                E("LastModified", Timestamp(o.LastModified)),
                E("ETag", o.ETag),
                E("Size", o.Size),
                E("StorageClass", "STANDARD"))),
            prefixes.Select(p => E("CommonPrefixes", E("Prefix", Enc(p)))));
        await WriteXmlAsync(context, 200, body).ConfigureAwait(false);
    }

    private static string EncodeToken(string after) => Convert.ToBase64String(Encoding.UTF8.GetBytes(after));

    private static string DecodeToken(string token)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException)
        {
            throw new S3ErrorException(S3Error.InvalidArgument("The continuation token provided is incorrect"));
        }
    }
}
