using OpenSma.Media.Audio;
using OpenSma.Media.Tests.TestSupport;

namespace OpenSma.Media.Tests.Audio;

public sealed class PromptCacheTests
{
    private static readonly byte[] Wav = WavWriter.WriteMono(new short[8000]); // 1 s, 16,000 bytes decoded

    private static Func<CancellationToken, ValueTask<ReadOnlyMemory<byte>?>> Loader(byte[]? file, Action? onCall = null) => _ =>
    {
        onCall?.Invoke();
        return ValueTask.FromResult(file is null ? null : (ReadOnlyMemory<byte>?)file);
    };

    [Fact]
    public async Task GetOrDecodeAsync_ConcurrentCallers_LoadOnceAndShareOneInstance()
    {
        var cache = new PromptCache(1_000_000);
        var gate = new TaskCompletionSource<ReadOnlyMemory<byte>?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var loads = 0;
        ValueTask<ReadOnlyMemory<byte>?> Load(CancellationToken ct)
        {
            Interlocked.Increment(ref loads);
            return new ValueTask<ReadOnlyMemory<byte>?>(gate.Task);
        }

        // Half the callers arrive while the load is pending, half race with its completion.
        var pending = Enumerable.Range(0, 50)
            .Select(_ => cache.GetOrDecodeAsync("bucket/prompt.wav#etag1", Load, CancellationToken.None).AsTask())
            .ToList();
        pending.AddRange(Enumerable.Range(0, 50)
            .Select(_ => Task.Run(() => cache.GetOrDecodeAsync("bucket/prompt.wav#etag1", Load, CancellationToken.None).AsTask())));
        gate.SetResult(Wav);
        var results = await Task.WhenAll(pending);

        Assert.Equal(1, loads);
        Assert.All(results, r => Assert.Same(results[0].Audio, r.Audio));
        Assert.NotNull(results[0].Audio);
    }

    [Fact]
    public async Task GetOrDecodeAsync_SecondCall_ReturnsCachedAudioWithoutLoading()
    {
        var cache = new PromptCache(1_000_000);
        var loads = 0;
        var first = await cache.GetOrDecodeAsync("k", Loader(Wav, () => loads++), CancellationToken.None);
        var second = await cache.GetOrDecodeAsync("k", Loader(Wav, () => loads++), CancellationToken.None);

        Assert.Equal(1, loads);
        Assert.Same(first.Audio, second.Audio);
        Assert.Equal(16000, cache.CachedBytes);
    }

    [Fact]
    public async Task GetOrDecodeAsync_OverBudget_EvictsLeastRecentlyUsed()
    {
        var cache = new PromptCache(40_000); // room for two 16,000-byte prompts
        var loads = new Dictionary<string, int>();
        async Task Get(string key) => await cache.GetOrDecodeAsync(key, Loader(Wav, () => loads[key] = loads.GetValueOrDefault(key) + 1), CancellationToken.None);

        await Get("a");
        await Get("b");
        await Get("a"); // a is now most recent
        await Get("c"); // evicts b

        Assert.Equal(2, cache.Count);
        Assert.Equal(32000, cache.CachedBytes);
        await Get("a");
        Assert.Equal(1, loads["a"]);
        await Get("b");
        Assert.Equal(2, loads["b"]);
    }

    [Fact]
    public async Task GetOrDecodeAsync_Failures_AreReportedAndNotCached()
    {
        var cache = new PromptCache(1_000_000);

        var missing = await cache.GetOrDecodeAsync("k", Loader(null), CancellationToken.None);
        var corrupt = await cache.GetOrDecodeAsync("k", Loader([1, 2, 3]), CancellationToken.None);
        var thrown = await cache.GetOrDecodeAsync("k", _ => throw new IOException("disk gone"), CancellationToken.None);
        var fixedUp = await cache.GetOrDecodeAsync("k", Loader(Wav), CancellationToken.None);

        Assert.Contains("not found", missing.Error, StringComparison.Ordinal);
        Assert.NotNull(corrupt.Error);
        Assert.Contains("disk gone", thrown.Error, StringComparison.Ordinal);
        Assert.NotNull(fixedUp.Audio);
    }

    [Fact]
    public async Task GetOrDecodeAsync_WaiterCancelled_OtherWaitersStillGetResult()
    {
        var cache = new PromptCache(1_000_000);
        var gate = new TaskCompletionSource<ReadOnlyMemory<byte>?>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cts = new CancellationTokenSource();

        var cancelled = cache.GetOrDecodeAsync("k", _ => new ValueTask<ReadOnlyMemory<byte>?>(gate.Task), cts.Token).AsTask();
        var other = cache.GetOrDecodeAsync("k", Loader(Wav), CancellationToken.None).AsTask();
        await cts.CancelAsync();
        gate.SetResult(Wav);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.NotNull((await other).Audio);
    }

    [Fact]
    public async Task GetOrDecodeAsync_ResampledPrompt_IsDecodedAt8kHz()
    {
        var cache = new PromptCache(1_000_000);
        var file = WavBuilder.Mono(WavBuilder.Kind.Pcm16, 44100, Signal.Sine(1000, 0.5, 44100, 44100));

        var result = await cache.GetOrDecodeAsync("k", Loader(file), CancellationToken.None);

        Assert.Equal(8000, result.Audio!.Length);
    }
}
