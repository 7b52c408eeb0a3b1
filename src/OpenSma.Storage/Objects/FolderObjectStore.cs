using System.Globalization;
using System.Text.Json;

namespace OpenSma.Storage.Objects;

/// <summary>
/// The embedded object store: one folder per bucket under a root directory, keys as relative
/// paths. User metadata is kept beside the object in <c>.metadata/&lt;key&gt;.json</c> inside the bucket.
/// Writes go to a temporary file first and are moved into place, so readers never see half a file.
/// </summary>
public sealed class FolderObjectStore : IObjectStore
{
    private const string MetadataFolder = ".metadata";
    private readonly string _root;

    public FolderObjectStore(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    public string Root => _root;

    /// <summary>Creates a bucket folder (no-op when it exists).</summary>
    public ObjectStatus CreateBucket(string bucket)
    {
        if (!IsValidBucket(bucket))
        {
            return ObjectStatus.InvalidName;
        }

        Directory.CreateDirectory(Path.Combine(_root, bucket));
        return ObjectStatus.Ok;
    }

    public ValueTask<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken) =>
        ValueTask.FromResult(IsValidBucket(bucket) && Directory.Exists(Path.Combine(_root, bucket)));

    public async ValueTask<ObjectReadResult> GetAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        var (status, path) = Locate(bucket, key);
        if (status != ObjectStatus.Ok)
        {
            return new ObjectReadResult(status, default, null, Describe(status, bucket, key));
        }

        try
        {
            var bytes = await File.ReadAllBytesAsync(path!, cancellationToken).ConfigureAwait(false);
            return new ObjectReadResult(ObjectStatus.Ok, bytes, ETagOf(new FileInfo(path!)), null);
        }
        catch (FileNotFoundException)
        {
            return new ObjectReadResult(ObjectStatus.NoSuchKey, default, null, Describe(ObjectStatus.NoSuchKey, bucket, key));
        }
        catch (UnauthorizedAccessException ex)
        {
            return new ObjectReadResult(ObjectStatus.AccessDenied, default, null, ex.Message);
        }
        catch (IOException ex)
        {
            return new ObjectReadResult(ObjectStatus.Error, default, null, ex.Message);
        }
    }

    public ValueTask<ObjectReadResult> HeadAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        var (status, path) = Locate(bucket, key);
        if (status != ObjectStatus.Ok)
        {
            return ValueTask.FromResult(new ObjectReadResult(status, default, null, Describe(status, bucket, key)));
        }

        return ValueTask.FromResult(new ObjectReadResult(ObjectStatus.Ok, default, ETagOf(new FileInfo(path!)), null));
    }

    public async ValueTask<ObjectWriteResult> PutAsync(
        string bucket,
        string key,
        ReadOnlyMemory<byte> content,
        ObjectMetadata metadata,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!IsValidBucket(bucket) || !IsValidKey(key))
        {
            return new ObjectWriteResult(ObjectStatus.InvalidName, null, $"invalid bucket or key '{bucket}/{key}'");
        }

        var bucketPath = Path.Combine(_root, bucket);
        if (!Directory.Exists(bucketPath))
        {
            return new ObjectWriteResult(ObjectStatus.NoSuchBucket, null, $"bucket '{bucket}' does not exist");
        }

        var path = Path.Combine(bucketPath, key);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
            await File.WriteAllBytesAsync(temporary, content.ToArray(), cancellationToken).ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);

            var metaPath = Path.Combine(bucketPath, MetadataFolder, key + ".json");
            Directory.CreateDirectory(Path.GetDirectoryName(metaPath)!);
            var meta = new Dictionary<string, string>(metadata.UserMetadata) { ["Content-Type"] = metadata.ContentType };
            await File.WriteAllTextAsync(metaPath, JsonSerializer.Serialize(meta), cancellationToken).ConfigureAwait(false);
            return new ObjectWriteResult(ObjectStatus.Ok, ETagOf(new FileInfo(path)), null);
        }
        catch (UnauthorizedAccessException ex)
        {
            return new ObjectWriteResult(ObjectStatus.AccessDenied, null, ex.Message);
        }
        catch (IOException ex)
        {
            return new ObjectWriteResult(ObjectStatus.Error, null, ex.Message);
        }
    }

    /// <summary>Reads the metadata written with an object (Content-Type and user metadata).</summary>
    public IReadOnlyDictionary<string, string>? ReadMetadata(string bucket, string key)
    {
        var metaPath = Path.Combine(_root, bucket, MetadataFolder, key + ".json");
        return File.Exists(metaPath)
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(metaPath))
            : null;
    }

    private (ObjectStatus Status, string? Path) Locate(string bucket, string key)
    {
        if (!IsValidBucket(bucket) || !IsValidKey(key))
        {
            return (ObjectStatus.InvalidName, null);
        }

        var bucketPath = Path.Combine(_root, bucket);
        if (!Directory.Exists(bucketPath))
        {
            return (ObjectStatus.NoSuchBucket, null);
        }

        var path = Path.Combine(bucketPath, key);
        return File.Exists(path) ? (ObjectStatus.Ok, path) : (ObjectStatus.NoSuchKey, null);
    }

    // The ETag changes whenever the file is rewritten; cheap to compute without reading the content.
    private static string ETagOf(FileInfo file) =>
        string.Create(CultureInfo.InvariantCulture, $"\"{file.Length:x}-{file.LastWriteTimeUtc.Ticks:x}\"");

    private static string Describe(ObjectStatus status, string bucket, string key) => status switch
    {
        ObjectStatus.NoSuchBucket => $"bucket '{bucket}' does not exist",
        ObjectStatus.NoSuchKey => $"object '{key}' does not exist in bucket '{bucket}'",
        ObjectStatus.InvalidName => $"invalid bucket or key '{bucket}/{key}'",
        _ => status.ToString(),
    };

    /// <summary>S3 bucket naming: 3-63 characters of lowercase letters, digits, '.', '-'.</summary>
    public static bool IsValidBucket(string bucket) =>
        bucket.Length is >= 3 and <= 63
        && bucket.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-')
        && char.IsAsciiLetterOrDigit(bucket[0])
        && char.IsAsciiLetterOrDigit(bucket[^1]);

    /// <summary>Keys stay inside their bucket: no rooted paths, no '..' segments, no metadata folder.</summary>
    public static bool IsValidKey(string key) =>
        key.Length is > 0 and <= 1024
        && !Path.IsPathRooted(key)
        && !key.Contains('\\', StringComparison.Ordinal)
        && !key.Contains('\0', StringComparison.Ordinal)
        && key.Split('/').All(s => s.Length > 0 && s != "." && s != "..")
        && !key.StartsWith(MetadataFolder + "/", StringComparison.Ordinal);
}
