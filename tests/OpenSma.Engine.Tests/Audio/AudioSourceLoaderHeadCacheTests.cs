using Microsoft.Extensions.Time.Testing;
using OpenSma.Engine.Audio;
using OpenSma.Engine.Contracts;
using OpenSma.Engine.Runtime;
using OpenSma.Media.Audio;
using OpenSma.Storage.Objects;

namespace OpenSma.Engine.Tests.Audio;

/// <summary>
/// Plays through the store as serve builds it (routing over a folder backend that keeps recent
/// HEADs), with the HEADs and GETs that reach the folder store counted.
/// </summary>
public sealed class AudioSourceLoaderHeadCacheTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "opensma-loader-heads-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 3, 0, 0, TimeSpan.Zero));
    private readonly CountingStore _folder;
    private readonly RoutedObjectStore _store;
    private readonly AudioSourceLoader _loader;

    public AudioSourceLoaderHeadCacheTests()
    {
        var folder = new FolderObjectStore(_root);
        folder.CreateBucket("prompts");
        _folder = new CountingStore(folder);
        _store = new RoutedObjectStore(
            new Dictionary<string, IObjectStore> { ["folder"] = new HeadCachingObjectStore(_folder, TimeSpan.FromSeconds(1), _time) },
            new Dictionary<string, BucketRule>(),
            "folder");
        _loader = new AudioSourceLoader(_store, new PromptCache(64 * 1024 * 1024), new ActivityTracker());
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Plays_WithinTheWindow_DoOneHead()
    {
        await PutToneAsync("menu.wav", TimeSpan.FromSeconds(1));

        for (var i = 0; i < 5; i++)
        {
            Assert.NotNull((await PlayAsync("menu.wav")).Audio);
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(1, _folder.Heads);
        Assert.Equal(1, _folder.Gets);
    }

    [Fact]
    public async Task Play_AfterAWriteThroughTheStore_DecodesTheNewAudioAtOnce()
    {
        await PutToneAsync("greeting.wav", TimeSpan.FromSeconds(1));
        var before = (await PlayAsync("greeting.wav")).Audio!;

        // Within the window: the write (as the S3 API or a recording makes it) drops the kept HEAD.
        await PutToneAsync("greeting.wav", TimeSpan.FromSeconds(3));
        var after = (await PlayAsync("greeting.wav")).Audio!;

        Assert.InRange(before.Duration.TotalSeconds, 0.99, 1.01);
        Assert.InRange(after.Duration.TotalSeconds, 2.99, 3.01);
        Assert.Equal(2, _folder.Heads);
        Assert.Equal(2, _folder.Gets);
    }

    [Fact]
    public async Task Play_OfAMissingPrompt_ThenUploaded_IsHeardAtOnce()
    {
        Assert.Equal(ActionError.AudioSourceInaccessible, (await PlayAsync("late.wav")).Error);
        Assert.Equal(ActionError.AudioSourceInaccessible, (await PlayAsync("late.wav")).Error);
        Assert.Equal(1, _folder.Heads);

        await PutToneAsync("late.wav", TimeSpan.FromSeconds(2));

        Assert.InRange((await PlayAsync("late.wav")).Audio!.Duration.TotalSeconds, 1.99, 2.01);
    }

    [Fact]
    public async Task Play_AfterTheWindow_PicksUpAFileChangedOnDisk()
    {
        await PutToneAsync("hold.wav", TimeSpan.FromSeconds(1));
        Assert.InRange((await PlayAsync("hold.wav")).Audio!.Duration.TotalSeconds, 0.99, 1.01);

        // Replaced by hand in the bucket folder, around OpenSMA.
        var path = Path.Combine(_root, "prompts", "hold.wav");
        await File.WriteAllBytesAsync(path, WavWriter.WriteMono(ToneGenerator.Beep(TimeSpan.FromSeconds(2), 440).Samples.Span));
        File.SetLastWriteTimeUtc(path, new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        _time.Advance(TimeSpan.FromMilliseconds(900));
        Assert.InRange((await PlayAsync("hold.wav")).Audio!.Duration.TotalSeconds, 0.99, 1.01);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.InRange((await PlayAsync("hold.wav")).Audio!.Duration.TotalSeconds, 1.99, 2.01);
        Assert.Equal(2, _folder.Heads);
    }

    private ValueTask<AudioSourceLoader.Loaded> PlayAsync(string key) =>
        _loader.LoadAsync(new S3AudioSource { Type = "S3", BucketName = "prompts", Key = key }, ActionError.AudioSourceInvalid, default);

    private async Task PutToneAsync(string key, TimeSpan length)
    {
        var wav = WavWriter.WriteMono(ToneGenerator.Beep(length, 440).Samples.Span);
        var put = await _store.PutAsync("prompts", key, wav, ObjectMetadata.Wav(), default);
        Assert.Equal(ObjectStatus.Ok, put.Status);
    }

    /// <summary>Passes every call to the real folder store and counts HEADs and GETs.</summary>
    private sealed class CountingStore(IObjectStore inner) : IObjectStore
    {
        private int _heads;
        private int _gets;

        public int Heads => Volatile.Read(ref _heads);

        public int Gets => Volatile.Read(ref _gets);

        public ValueTask<ObjectReadResult> HeadAsync(string bucket, string key, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _heads);
            return inner.HeadAsync(bucket, key, cancellationToken);
        }

        public ValueTask<ObjectReadResult> GetAsync(string bucket, string key, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _gets);
            return inner.GetAsync(bucket, key, cancellationToken);
        }

        public ValueTask<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken cancellationToken) => inner.ListBucketsAsync(cancellationToken);

        public ValueTask<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken) => inner.BucketExistsAsync(bucket, cancellationToken);

        public ValueTask<ObjectStatus> CreateBucketAsync(string bucket, CancellationToken cancellationToken) => inner.CreateBucketAsync(bucket, cancellationToken);

        public ValueTask<ObjectWriteResult> PutAsync(string bucket, string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken) =>
            inner.PutAsync(bucket, key, content, metadata, cancellationToken);

        public ValueTask<ObjectStatus> DeleteAsync(string bucket, string key, CancellationToken cancellationToken) => inner.DeleteAsync(bucket, key, cancellationToken);

        public ValueTask<ObjectListResult> ListAsync(string bucket, string? prefix, string? startAfter, int maxKeys, CancellationToken cancellationToken) =>
            inner.ListAsync(bucket, prefix, startAfter, maxKeys, cancellationToken);

        public BucketAccess AccessOf(string bucket) => inner.AccessOf(bucket);
    }
}
