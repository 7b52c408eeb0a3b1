using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OpenSma.Storage.Objects;

/// <summary>
/// The embedded object store: one folder per bucket under a root directory, keys as relative
/// paths. Content type, user metadata and the content's MD5 are kept beside the object in
/// <c>.metadata/&lt;key&gt;.json</c> inside the bucket. Writes go to a temporary file first and are
/// moved into place, so readers never see half a file. Files copied into a bucket folder by hand
/// are objects too; their ETag is derived from size and modification time.
/// </summary>
public sealed class FolderObjectStore : IObjectStore
{
    private const string MetadataFolder = ".metadata";
    private const string TemporaryMarker = ".tmp-";

    // File names stop at 255 bytes; S3 key segments do not (RecordAudio accepts a 979-byte prefix).
    // A longer segment is stored as a chain of folders of at most MaxNameBytes, each but the last
    // ending in ContinuationMarker, which keys may therefore not end a segment with.
    private const int MaxNameBytes = 200;
    private const string ContinuationMarker = ".~+";
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

    public ValueTask<ObjectStatus> CreateBucketAsync(string bucket, CancellationToken cancellationToken)
    {
        if (IsValidBucket(bucket) && Directory.Exists(Path.Combine(_root, bucket)))
        {
            return ValueTask.FromResult(ObjectStatus.BucketExists);
        }

        return ValueTask.FromResult(CreateBucket(bucket));
    }

    public ValueTask<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<BucketInfo> buckets = new DirectoryInfo(_root).EnumerateDirectories()
            .Where(d => IsValidBucket(d.Name))
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .Select(d => new BucketInfo(d.Name, new DateTimeOffset(d.CreationTimeUtc, TimeSpan.Zero)))
            .ToList();
        return ValueTask.FromResult(buckets);
    }

    public ValueTask<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken) =>
        ValueTask.FromResult(IsValidBucket(bucket) && Directory.Exists(Path.Combine(_root, bucket)));

    public BucketAccess AccessOf(string bucket) => BucketAccess.Full;

    public async ValueTask<ObjectReadResult> GetAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        var (status, path) = Locate(bucket, key);
        if (status != ObjectStatus.Ok)
        {
            return new ObjectReadResult(status, default, null, Describe(status, bucket, key));
        }

        try
        {
            var file = new FileInfo(path!);
            var bytes = await File.ReadAllBytesAsync(path!, cancellationToken).ConfigureAwait(false);
            var (info, metadata) = Describe(bucket, key, file);
            return new ObjectReadResult(ObjectStatus.Ok, bytes, info.ETag, null) { Info = info with { Size = bytes.Length }, Metadata = metadata };
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

        try
        {
            var (info, metadata) = Describe(bucket, key, new FileInfo(path!));
            return ValueTask.FromResult(new ObjectReadResult(ObjectStatus.Ok, default, info.ETag, null) { Info = info, Metadata = metadata });
        }
        catch (IOException ex)
        {
            return ValueTask.FromResult(new ObjectReadResult(ObjectStatus.Error, default, null, ex.Message));
        }
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

        var path = Path.Combine(bucketPath, ToRelativePath(key));
        try
        {
            if (Directory.Exists(path))
            {
                return new ObjectWriteResult(ObjectStatus.InvalidName, null, $"key '{key}' names a folder of other keys in this store");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = path + TemporaryMarker + Guid.NewGuid().ToString("N");
            await File.WriteAllBytesAsync(temporary, content.ToArray(), cancellationToken).ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);

            var file = new FileInfo(path);
            // S3's ETag of a single-part upload is the content's MD5, and clients compare against it.
#pragma warning disable CA5351
            var etag = "\"" + Convert.ToHexStringLower(MD5.HashData(content.Span)) + "\"";
#pragma warning restore CA5351
            var stored = new StoredMetadata(metadata.ContentType, new Dictionary<string, string>(metadata.UserMetadata), etag, file.Length, file.LastWriteTimeUtc.Ticks);
            var metaPath = MetadataPath(bucket, key);
            Directory.CreateDirectory(Path.GetDirectoryName(metaPath)!);
            await File.WriteAllTextAsync(metaPath, JsonSerializer.Serialize(stored, StorageJsonContext.Default.StoredMetadata), cancellationToken).ConfigureAwait(false);
            return new ObjectWriteResult(ObjectStatus.Ok, etag, null);
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

    public ValueTask<ObjectStatus> DeleteAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        var (status, path) = Locate(bucket, key);
        if (status != ObjectStatus.Ok)
        {
            return ValueTask.FromResult(status);
        }

        try
        {
            File.Delete(path!);
            File.Delete(MetadataPath(bucket, key));
            PruneEmptyFolders(Path.Combine(_root, bucket), Path.GetDirectoryName(path)!);
            return ValueTask.FromResult(ObjectStatus.Ok);
        }
        catch (UnauthorizedAccessException)
        {
            return ValueTask.FromResult(ObjectStatus.AccessDenied);
        }
        catch (IOException)
        {
            return ValueTask.FromResult(ObjectStatus.Error);
        }
    }

    public ValueTask<ObjectListResult> ListAsync(string bucket, string? prefix, string? startAfter, int maxKeys, CancellationToken cancellationToken)
    {
        if (!IsValidBucket(bucket))
        {
            return ValueTask.FromResult(ObjectListResult.Failed(ObjectStatus.InvalidName, $"invalid bucket '{bucket}'"));
        }

        var bucketPath = Path.Combine(_root, bucket);
        if (!Directory.Exists(bucketPath))
        {
            return ValueTask.FromResult(ObjectListResult.Failed(ObjectStatus.NoSuchBucket, $"bucket '{bucket}' does not exist"));
        }

        // Only the folder the prefix points into needs walking.
        var slash = prefix?.LastIndexOf('/') ?? -1;
        var start = slash < 0 ? bucketPath : Path.Combine(bucketPath, ToRelativePath(prefix![..slash]));
        if (!Directory.Exists(start) || (slash >= 0 && !IsValidKey(prefix![..slash])))
        {
            return ValueTask.FromResult(new ObjectListResult(ObjectStatus.Ok, [], false, null));
        }

        var candidates = new List<(string Key, FileInfo File)>();
        foreach (var file in new DirectoryInfo(start).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            var key = ToKey(Path.GetRelativePath(bucketPath, file.FullName).Replace(Path.DirectorySeparatorChar, '/'));
            if (key.StartsWith(MetadataFolder + "/", StringComparison.Ordinal)
                || file.Name.Contains(TemporaryMarker, StringComparison.Ordinal)
                || (prefix is not null && !key.StartsWith(prefix, StringComparison.Ordinal))
                || (startAfter is not null && string.CompareOrdinal(key, startAfter) <= 0))
            {
                continue;
            }

            candidates.Add((key, file));
        }

        candidates.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var page = candidates.Take(Math.Max(0, maxKeys)).Select(c => Describe(bucket, c.Key, c.File).Info).ToList();
        return ValueTask.FromResult(new ObjectListResult(ObjectStatus.Ok, page, candidates.Count > page.Count, null));
    }

    /// <summary>Reads the metadata written with an object: Content-Type and the user metadata, in one map.</summary>
    public IReadOnlyDictionary<string, string>? ReadMetadata(string bucket, string key)
    {
        var stored = ReadStored(bucket, key);
        return stored is null
            ? null
            : new Dictionary<string, string>(stored.UserMetadata) { ["Content-Type"] = stored.ContentType };
    }

    private (ObjectInfo Info, ObjectMetadata Metadata) Describe(string bucket, string key, FileInfo file)
    {
        var stored = ReadStored(bucket, key);
        var modified = new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero);
        // The stored MD5 holds only while the file is the one that was written with it.
        var current = stored is not null && stored.Length == file.Length && stored.WriteTicks == file.LastWriteTimeUtc.Ticks;
        var etag = current ? stored!.ETag : string.Create(CultureInfo.InvariantCulture, $"\"{file.Length:x}-{file.LastWriteTimeUtc.Ticks:x}\"");
        var metadata = current
            ? new ObjectMetadata(stored!.ContentType, stored.UserMetadata)
            : new ObjectMetadata(GuessContentType(key), new Dictionary<string, string>());
        return (new ObjectInfo(key, file.Length, etag, modified), metadata);
    }

    private StoredMetadata? ReadStored(string bucket, string key)
    {
        try
        {
            var metaPath = MetadataPath(bucket, key);
            return File.Exists(metaPath)
                ? JsonSerializer.Deserialize(File.ReadAllText(metaPath), StorageJsonContext.Default.StoredMetadata)
                : null;
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            // A damaged metadata file costs the metadata, never the object.
            return null;
        }
    }

    private string MetadataPath(string bucket, string key) => Path.Combine(_root, bucket, MetadataFolder, ToRelativePath(key) + ".json");

    /// <summary>The key's path under its bucket folder: long segments become folder chains.</summary>
    internal static string ToRelativePath(string key)
    {
        if (Encoding.UTF8.GetByteCount(key) <= MaxNameBytes)
        {
            return key;
        }

        var path = new StringBuilder(key.Length + 16);
        foreach (var segment in key.Split('/'))
        {
            if (path.Length > 0)
            {
                path.Append('/');
            }

            var rest = segment.AsSpan();
            while (Encoding.UTF8.GetByteCount(rest) > MaxNameBytes)
            {
                var take = 0;
                var bytes = 0;
                while (true)
                {
                    var width = char.IsHighSurrogate(rest[take]) ? 2 : 1;
                    var size = Encoding.UTF8.GetByteCount(rest.Slice(take, width));
                    if (bytes + size > MaxNameBytes)
                    {
                        break;
                    }

                    bytes += size;
                    take += width;
                }

                path.Append(rest[..take]).Append(ContinuationMarker).Append('/');
                rest = rest[take..];
            }

            path.Append(rest);
        }

        return path.ToString();
    }

    internal static string ToKey(string relativePath) =>
        relativePath.Contains(ContinuationMarker + "/", StringComparison.Ordinal)
            ? relativePath.Replace(ContinuationMarker + "/", string.Empty, StringComparison.Ordinal)
            : relativePath;

    private static void PruneEmptyFolders(string bucketPath, string folder)
    {
        while (folder.Length > bucketPath.Length && Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
        {
            Directory.Delete(folder);
            folder = Path.GetDirectoryName(folder)!;
        }
    }

    private static string GuessContentType(string key) =>
        key.EndsWith(".wav", StringComparison.OrdinalIgnoreCase) ? "audio/wav" : ObjectMetadata.DefaultContentType;

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

        var path = Path.Combine(bucketPath, ToRelativePath(key));
        return File.Exists(path) ? (ObjectStatus.Ok, path) : (ObjectStatus.NoSuchKey, null);
    }

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

    /// <summary>Keys stay inside their bucket: no rooted paths, no '..' segments, no metadata folder, no segment ending in the continuation marker.</summary>
    public static bool IsValidKey(string key) =>
        key.Length is > 0 and <= 1024
        && !Path.IsPathRooted(key)
        && !key.Contains('\\', StringComparison.Ordinal)
        && !key.Contains('\0', StringComparison.Ordinal)
        && !key.Contains(TemporaryMarker, StringComparison.Ordinal)
        && key.Split('/').All(s => s.Length > 0 && s != "." && s != ".." && !s.EndsWith(ContinuationMarker, StringComparison.Ordinal))
        && !key.StartsWith(MetadataFolder + "/", StringComparison.Ordinal);
}
