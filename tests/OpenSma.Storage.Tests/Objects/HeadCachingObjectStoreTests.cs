using System.Text;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Storage.Objects;

namespace OpenSma.Storage.Tests.Objects;

/// <summary>Recent HEAD results over the real folder store, counted where they reach it.</summary>
public sealed class HeadCachingObjectStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "opensma-heads-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 3, 0, 0, TimeSpan.Zero));
    private readonly FolderObjectStore _folder;
    private readonly CountingObjectStore _counting;
    private readonly HeadCachingObjectStore _store;

    public HeadCachingObjectStoreTests()
    {
        _folder = new FolderObjectStore(_root);
        _folder.CreateBucket("prompts");
        _counting = new CountingObjectStore(_folder);
        _store = new HeadCachingObjectStore(_counting, TimeSpan.FromSeconds(1), _time);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task HeadRecent_WithinTheWindow_OneHead_ThenAgainAfterIt()
    {
        await PutAsync("a.wav", "one");

        var first = await _store.HeadRecentAsync("prompts", "a.wav", default);
        _time.Advance(TimeSpan.FromMilliseconds(999));
        var second = await _store.HeadRecentAsync("prompts", "a.wav", default);
        Assert.Equal(1, _counting.Heads);
        Assert.Same(first, second);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await _store.HeadRecentAsync("prompts", "a.wav", default);
        Assert.Equal(2, _counting.Heads);
    }

    [Fact]
    public async Task HeadRecent_AfterAPutThroughTheStore_SeesTheNewETagAtOnce()
    {
        var put1 = await PutAsync("a.wav", "one");
        Assert.Equal(put1.ETag, (await _store.HeadRecentAsync("prompts", "a.wav", default)).ETag);

        var put2 = await PutAsync("a.wav", "two, longer");

        Assert.NotEqual(put1.ETag, put2.ETag);
        Assert.Equal(put2.ETag, (await _store.HeadRecentAsync("prompts", "a.wav", default)).ETag);
        Assert.Equal(2, _counting.Heads);
    }

    [Fact]
    public async Task HeadRecent_MissingObject_KeptAsMissing_UntilPutOrWindow_AndDeleteIsSeenAtOnce()
    {
        Assert.Equal(ObjectStatus.NoSuchKey, (await _store.HeadRecentAsync("prompts", "late.wav", default)).Status);
        Assert.Equal(ObjectStatus.NoSuchKey, (await _store.HeadRecentAsync("prompts", "late.wav", default)).Status);
        Assert.Equal(1, _counting.Heads);

        await PutAsync("late.wav", "here");
        Assert.Equal(ObjectStatus.Ok, (await _store.HeadRecentAsync("prompts", "late.wav", default)).Status);

        Assert.Equal(ObjectStatus.Ok, await _store.DeleteAsync("prompts", "late.wav", default));
        Assert.Equal(ObjectStatus.NoSuchKey, (await _store.HeadRecentAsync("prompts", "late.wav", default)).Status);
        Assert.Equal(3, _counting.Heads);
    }

    [Fact]
    public async Task HeadRecent_FileChangedOnDisk_IsSeenOnlyAfterTheWindow()
    {
        var put = await PutAsync("a.wav", "one");
        Assert.Equal(put.ETag, (await _store.HeadRecentAsync("prompts", "a.wav", default)).ETag);

        // Edited around OpenSMA: the folder store's ETag follows the file's size and write time.
        var path = Path.Combine(_root, "prompts", "a.wav");
        await File.WriteAllTextAsync(path, "edited by hand, longer");
        File.SetLastWriteTimeUtc(path, new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var onDisk = (await _folder.HeadAsync("prompts", "a.wav", default)).ETag;
        Assert.NotEqual(put.ETag, onDisk);

        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(put.ETag, (await _store.HeadRecentAsync("prompts", "a.wav", default)).ETag);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(onDisk, (await _store.HeadRecentAsync("prompts", "a.wav", default)).ETag);
    }

    [Fact]
    public async Task HeadAsync_IsNeverCached_AndZeroWindowTurnsTheCacheOff()
    {
        await PutAsync("a.wav", "one");
        var off = new HeadCachingObjectStore(_counting, TimeSpan.Zero, _time);

        await _store.HeadAsync("prompts", "a.wav", default);
        await _store.HeadAsync("prompts", "a.wav", default);
        await off.HeadRecentAsync("prompts", "a.wav", default);
        await off.HeadRecentAsync("prompts", "a.wav", default);

        Assert.Equal(4, _counting.Heads);
    }

    [Fact]
    public async Task HeadRecent_RacingAPut_IsNotKeptAfterThePut()
    {
        var put1 = await PutAsync("a.wav", "one");
        var gated = new CountingObjectStore(_folder) { HoldNextHead = true };
        var store = new HeadCachingObjectStore(gated, TimeSpan.FromSeconds(1), _time);

        var racing = store.HeadRecentAsync("prompts", "a.wav", default).AsTask();
        await gated.HeadStarted;
        var put2 = await store.PutAsync("prompts", "a.wav", Encoding.UTF8.GetBytes("two, longer"), ObjectMetadata.Wav(), default);
        gated.Release();

        Assert.Equal(put1.ETag, (await racing).ETag);
        Assert.Equal(put2.ETag, (await store.HeadRecentAsync("prompts", "a.wav", default)).ETag);
    }

    [Fact]
    public async Task RoutedStore_AnswersRecentHeadsFromItsBackend()
    {
        await PutAsync("a.wav", "one");
        var routed = new RoutedObjectStore(new Dictionary<string, IObjectStore> { ["folder"] = _store }, new Dictionary<string, BucketRule>(), "folder");

        await routed.HeadRecentAsync("prompts", "a.wav", default);
        await ((IObjectStore)routed).HeadRecentAsync("prompts", "a.wav", default);
        var put = await routed.PutAsync("prompts", "a.wav", Encoding.UTF8.GetBytes("two, longer"), ObjectMetadata.Wav(), default);

        Assert.Equal(put.ETag, (await routed.HeadRecentAsync("prompts", "a.wav", default)).ETag);
        Assert.Equal(2, _counting.Heads);
    }

    private async Task<ObjectWriteResult> PutAsync(string key, string text)
    {
        var put = await _store.PutAsync("prompts", key, Encoding.UTF8.GetBytes(text), ObjectMetadata.Wav(), default);
        Assert.Equal(ObjectStatus.Ok, put.Status);
        return put;
    }

    /// <summary>The real store, counting HEADs; can hold one HEAD after it has read, until released.</summary>
    private sealed class CountingObjectStore(IObjectStore inner) : IObjectStore
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _heads;

        public int Heads => Volatile.Read(ref _heads);

        public bool HoldNextHead { get; set; }

        public Task HeadStarted => _started.Task;

        public void Release() => _release.SetResult();

        public async ValueTask<ObjectReadResult> HeadAsync(string bucket, string key, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _heads);
            var result = await inner.HeadAsync(bucket, key, cancellationToken);
            if (HoldNextHead)
            {
                HoldNextHead = false;
                _started.SetResult();
                await _release.Task;
            }

            return result;
        }

        public ValueTask<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken cancellationToken) => inner.ListBucketsAsync(cancellationToken);

        public ValueTask<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken) => inner.BucketExistsAsync(bucket, cancellationToken);

        public ValueTask<ObjectStatus> CreateBucketAsync(string bucket, CancellationToken cancellationToken) => inner.CreateBucketAsync(bucket, cancellationToken);

        public ValueTask<ObjectReadResult> GetAsync(string bucket, string key, CancellationToken cancellationToken) => inner.GetAsync(bucket, key, cancellationToken);

        public ValueTask<ObjectWriteResult> PutAsync(string bucket, string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken) =>
            inner.PutAsync(bucket, key, content, metadata, cancellationToken);

        public ValueTask<ObjectStatus> DeleteAsync(string bucket, string key, CancellationToken cancellationToken) => inner.DeleteAsync(bucket, key, cancellationToken);

        public ValueTask<ObjectListResult> ListAsync(string bucket, string? prefix, string? startAfter, int maxKeys, CancellationToken cancellationToken) =>
            inner.ListAsync(bucket, prefix, startAfter, maxKeys, cancellationToken);

        public BucketAccess AccessOf(string bucket) => inner.AccessOf(bucket);
    }
}
