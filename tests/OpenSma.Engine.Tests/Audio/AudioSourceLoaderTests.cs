using OpenSma.Engine.Audio;
using OpenSma.Engine.Contracts;
using OpenSma.Engine.Runtime;
using OpenSma.Media.Audio;
using OpenSma.Storage.Objects;

namespace OpenSma.Engine.Tests.Audio;

public sealed class AudioSourceLoaderTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "opensma-loader-" + Guid.NewGuid().ToString("N"));
    private readonly CountingStore _store;
    private readonly PromptCache _cache = new(64 * 1024 * 1024);
    private readonly AudioSourceLoader _loader;

    public AudioSourceLoaderTests()
    {
        var folder = new FolderObjectStore(_root);
        folder.CreateBucket("prompts-bucket");
        folder.CreateBucket("private-bucket");
        var routed = new RoutedObjectStore(
            new Dictionary<string, IObjectStore> { ["folder"] = folder },
            new Dictionary<string, BucketRule> { ["private-*"] = new() { SmaRead = false } },
            "folder");
        _store = new CountingStore(routed);
        _loader = new AudioSourceLoader(_store, _cache, new ActivityTracker());
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task LoadAsync_AThousandConcurrentCalls_ShareOneDecodedCopy()
    {
        await PutToneAsync("prompts-bucket", "menu.wav", TimeSpan.FromSeconds(1));
        var source = Source("prompts-bucket", "menu.wav");
        var loads = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => _loader.LoadAsync(source, ActionError.AudioSourceInvalid, default).AsTask()));

        var first = loads[0].Audio!;
        Assert.All(loads, l => Assert.Same(first, l.Audio));
        Assert.Equal(1, _cache.Count);
        Assert.Equal(1, _store.Gets);
    }

    [Fact]
    public async Task LoadAsync_ObjectOverwritten_NextLoadDecodesTheNewAudio()
    {
        await PutToneAsync("prompts-bucket", "greeting.wav", TimeSpan.FromSeconds(1));
        var source = Source("prompts-bucket", "greeting.wav");
        var before = (await _loader.LoadAsync(source, ActionError.AudioSourceInvalid, default)).Audio!;
        Assert.Same(before, (await _loader.LoadAsync(source, ActionError.AudioSourceInvalid, default)).Audio);

        await PutToneAsync("prompts-bucket", "greeting.wav", TimeSpan.FromSeconds(3));
        var after = (await _loader.LoadAsync(source, ActionError.AudioSourceInvalid, default)).Audio!;
        Assert.InRange(before.Duration.TotalSeconds, 0.99, 1.01);
        Assert.InRange(after.Duration.TotalSeconds, 2.99, 3.01);
        Assert.Equal(2, _store.Gets);
    }

    [Fact]
    public async Task LoadAsync_BucketNotReadableBySmas_IsTheDocumentedAccessError()
    {
        await PutToneAsync("private-bucket", "secret.wav", TimeSpan.FromSeconds(1));
        var loaded = await _loader.LoadAsync(Source("private-bucket", "secret.wav"), ActionError.AudioSourceInvalid, default);
        Assert.Null(loaded.Audio);
        Assert.Equal(new ActionError("InvalidAudioSource", "Cannot access S3 bucket or audio file."), loaded.Error);
        Assert.Equal(0, _store.Gets);
    }

    [Fact]
    public async Task LoadAsync_MissingObjectOrNotWav_AreAccessAndFormatErrors()
    {
        var missing = await _loader.LoadAsync(Source("prompts-bucket", "none.wav"), ActionError.AudioSourceInvalid, default);
        Assert.Equal(ActionError.AudioSourceInaccessible, missing.Error);

        await _store.PutAsync("prompts-bucket", "text.wav", "not a wav"u8.ToArray(), ObjectMetadata.Wav(), default);
        var invalid = await _loader.LoadAsync(Source("prompts-bucket", "text.wav"), ActionError.AudioSourceInvalid, default);
        Assert.Equal(ActionError.AudioSourceInvalid, invalid.Error);
    }

    private static S3AudioSource Source(string bucket, string key) => new() { Type = "S3", BucketName = bucket, Key = key };

    private async Task PutToneAsync(string bucket, string key, TimeSpan length)
    {
        var wav = WavWriter.WriteMono(ToneGenerator.Beep(length, 440).Samples.Span);
        var put = await _store.PutAsync(bucket, key, wav, ObjectMetadata.Wav(), default);
        Assert.Equal(ObjectStatus.Ok, put.Status);
    }

    /// <summary>Passes every call to the real store and counts object reads.</summary>
    private sealed class CountingStore(IObjectStore inner) : IObjectStore
    {
        private int _gets;

        public int Gets => Volatile.Read(ref _gets);

        public ValueTask<ObjectReadResult> GetAsync(string bucket, string key, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _gets);
            return inner.GetAsync(bucket, key, cancellationToken);
        }

        public ValueTask<IReadOnlyList<BucketInfo>> ListBucketsAsync(CancellationToken cancellationToken) => inner.ListBucketsAsync(cancellationToken);

        public ValueTask<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken) => inner.BucketExistsAsync(bucket, cancellationToken);

        public ValueTask<ObjectStatus> CreateBucketAsync(string bucket, CancellationToken cancellationToken) => inner.CreateBucketAsync(bucket, cancellationToken);

        public ValueTask<ObjectReadResult> HeadAsync(string bucket, string key, CancellationToken cancellationToken) => inner.HeadAsync(bucket, key, cancellationToken);

        public ValueTask<ObjectWriteResult> PutAsync(string bucket, string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken) =>
            inner.PutAsync(bucket, key, content, metadata, cancellationToken);

        public ValueTask<ObjectStatus> DeleteAsync(string bucket, string key, CancellationToken cancellationToken) => inner.DeleteAsync(bucket, key, cancellationToken);

        public ValueTask<ObjectListResult> ListAsync(string bucket, string? prefix, string? startAfter, int maxKeys, CancellationToken cancellationToken) =>
            inner.ListAsync(bucket, prefix, startAfter, maxKeys, cancellationToken);

        public BucketAccess AccessOf(string bucket) => inner.AccessOf(bucket);
    }
}
