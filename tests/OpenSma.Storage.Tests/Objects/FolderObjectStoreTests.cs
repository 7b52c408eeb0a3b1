using System.Security.Cryptography;
using System.Text;
using OpenSma.Storage.Objects;

namespace OpenSma.Storage.Tests.Objects;

public sealed class FolderObjectStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "opensma-folder-" + Guid.NewGuid().ToString("N"));
    private readonly FolderObjectStore _store;

    public FolderObjectStoreTests()
    {
        _store = new FolderObjectStore(_root);
        _store.CreateBucket("bucket-a");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task PutAsync_ThenGet_ReturnsContentMd5ETagAndMetadata()
    {
        var content = Encoding.UTF8.GetBytes("hello prompt");
        var put = await _store.PutAsync("bucket-a", "dir/x.wav", content, ObjectMetadata.Wav(new Dictionary<string, string> { ["call-id"] = "c1" }), default);
        Assert.Equal(ObjectStatus.Ok, put.Status);
#pragma warning disable CA5351 // S3's ETag is an MD5
        Assert.Equal("\"" + Convert.ToHexStringLower(MD5.HashData(content)) + "\"", put.ETag);
#pragma warning restore CA5351

        var got = await _store.GetAsync("bucket-a", "dir/x.wav", default);
        Assert.Equal(content, got.Content.ToArray());
        Assert.Equal(put.ETag, got.ETag);
        Assert.Equal("audio/wav", got.Metadata!.ContentType);
        Assert.Equal("c1", got.Metadata.UserMetadata["call-id"]);
        Assert.Equal(content.Length, got.Info!.Size);
    }

    [Fact]
    public async Task PutAsync_SegmentLongerThanAFileName_StoredGotListedAndDeleted()
    {
        // RecordAudio allows a 979-byte prefix; file names stop at 255 bytes. Mixed widths check
        // that chunks never split a character.
        var prefix = string.Concat(Enumerable.Repeat("vm-é-😀-", 87)) + "/"; // 958 bytes
        var key = prefix + "TX_CALL_1732400000000.wav";
        var other = prefix[..600] + "z.wav";
        Assert.True(Encoding.UTF8.GetByteCount(prefix) > 979 - 100);
        Assert.Equal(ObjectStatus.Ok, (await _store.PutAsync("bucket-a", key, new byte[] { 1, 2 }, ObjectMetadata.Wav(), default)).Status);
        Assert.Equal(ObjectStatus.Ok, (await _store.PutAsync("bucket-a", other, new byte[] { 3 }, ObjectMetadata.Default, default)).Status);

        var got = await _store.GetAsync("bucket-a", key, default);
        Assert.Equal([1, 2], got.Content.ToArray());
        Assert.Equal("audio/wav", got.Metadata!.ContentType);
        var listed = await _store.ListAsync("bucket-a", prefix[..300], null, 1000, default);
        Assert.Equal(new[] { key, other }.Order(StringComparer.Ordinal), listed.Objects.Select(o => o.Key));
        Assert.All(Directory.EnumerateFileSystemEntries(Path.Combine(_root, "bucket-a"), "*", SearchOption.AllDirectories),
            p => Assert.True(Encoding.UTF8.GetByteCount(Path.GetFileName(p)) <= 255, p));

        Assert.Equal(ObjectStatus.Ok, await _store.DeleteAsync("bucket-a", key, default));
        Assert.Equal(ObjectStatus.NoSuchKey, (await _store.GetAsync("bucket-a", key, default)).Status);
        Assert.Equal(ObjectStatus.Ok, (await _store.GetAsync("bucket-a", other, default)).Status);
    }

    [Fact]
    public async Task PutAsync_SegmentEndingInContinuationMarker_IsInvalid()
    {
        var put = await _store.PutAsync("bucket-a", "a.~+/b", new byte[] { 1 }, ObjectMetadata.Default, default);
        Assert.Equal(ObjectStatus.InvalidName, put.Status);
    }

    [Fact]
    public async Task HeadAsync_FileReplacedByHand_ETagChanges()
    {
        await _store.PutAsync("bucket-a", "p.wav", new byte[] { 1, 2, 3 }, ObjectMetadata.Wav(), default);
        var before = await _store.HeadAsync("bucket-a", "p.wav", default);
        var path = Path.Combine(_root, "bucket-a", "p.wav");
        File.WriteAllBytes(path, [9, 9, 9, 9]);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        var after = await _store.HeadAsync("bucket-a", "p.wav", default);
        Assert.NotEqual(before.ETag, after.ETag);
        Assert.Equal(4, after.Info!.Size);
    }

    [Fact]
    public async Task ListAsync_PrefixStartAfterAndLimit_PagesInOrdinalOrder()
    {
        foreach (var key in new[] { "b/2", "a", "b/1", "c", "b/3/x" })
        {
            await _store.PutAsync("bucket-a", key, new byte[] { 0 }, ObjectMetadata.Default, default);
        }

        var all = await _store.ListAsync("bucket-a", null, null, 1000, default);
        Assert.Equal(["a", "b/1", "b/2", "b/3/x", "c"], all.Objects.Select(o => o.Key));
        Assert.False(all.IsTruncated);

        var page = await _store.ListAsync("bucket-a", "b/", "b/1", 1, default);
        Assert.Equal(["b/2"], page.Objects.Select(o => o.Key));
        Assert.True(page.IsTruncated);

        var missing = await _store.ListAsync("no-bucket", null, null, 10, default);
        Assert.Equal(ObjectStatus.NoSuchBucket, missing.Status);
    }

    [Fact]
    public async Task DeleteAsync_RemovesObjectMetadataAndEmptyFolders()
    {
        await _store.PutAsync("bucket-a", "deep/er/k", new byte[] { 1 }, ObjectMetadata.Default, default);
        Assert.Equal(ObjectStatus.Ok, await _store.DeleteAsync("bucket-a", "deep/er/k", default));
        Assert.Equal(ObjectStatus.NoSuchKey, await _store.DeleteAsync("bucket-a", "deep/er/k", default));
        Assert.False(Directory.Exists(Path.Combine(_root, "bucket-a", "deep")));
        Assert.Null(_store.ReadMetadata("bucket-a", "deep/er/k"));
        Assert.Empty((await _store.ListAsync("bucket-a", null, null, 10, default)).Objects);
    }

    [Fact]
    public async Task CreateBucketAsync_ExistingOrInvalid_IsReported()
    {
        Assert.Equal(ObjectStatus.BucketExists, await _store.CreateBucketAsync("bucket-a", default));
        Assert.Equal(ObjectStatus.InvalidName, await _store.CreateBucketAsync("Bad_Name", default));
        Assert.Equal(ObjectStatus.Ok, await _store.CreateBucketAsync("bucket-b", default));
        Assert.Equal(["bucket-a", "bucket-b"], (await _store.ListBucketsAsync(default)).Select(b => b.Name));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/../../b")]
    [InlineData(".metadata/x.json")]
    [InlineData("/rooted")]
    public async Task PutAsync_KeyLeavingTheBucket_IsRejected(string key)
    {
        var put = await _store.PutAsync("bucket-a", key, new byte[] { 1 }, ObjectMetadata.Default, default);
        Assert.Equal(ObjectStatus.InvalidName, put.Status);
    }
}
