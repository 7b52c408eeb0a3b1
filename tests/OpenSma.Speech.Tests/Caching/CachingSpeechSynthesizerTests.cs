using OpenSma.Engine.Speech;
using OpenSma.Media.Audio;
using OpenSma.Speech.Caching;

namespace OpenSma.Speech.Tests.Caching;

public sealed class CachingSpeechSynthesizerTests
{
    private static SpeechRequest Request(string text, string voice = "Joanna", SpeechEngine engine = SpeechEngine.Standard, SpeechTextType type = SpeechTextType.Text, string? language = null) =>
        new(text, type, engine, language, voice);

    [Fact]
    public async Task Synthesize_SameRequestTwice_BackendCalledOnce_SameAudio()
    {
        var backend = new CountingSynthesizer();
        var cache = new CachingSpeechSynthesizer(backend, 1_000_000);
        var first = await cache.SynthesizeAsync(Request("Hello"), default);
        var second = await cache.SynthesizeAsync(Request("Hello"), default);
        Assert.Equal(1, backend.Calls);
        Assert.Same(first.Audio, second.Audio);
        Assert.Equal(first.Audio!.SizeInBytes, cache.CachedBytes);
    }

    [Fact]
    public async Task Synthesize_AnySettingDiffers_BackendCalledAgain()
    {
        var backend = new CountingSynthesizer();
        var cache = new CachingSpeechSynthesizer(backend, 1_000_000);
        SpeechRequest[] requests =
        [
            Request("Hello"), Request("Hello "), Request("Hello", voice: "Salli"), Request("Hello", engine: SpeechEngine.Neural),
            Request("Hello", type: SpeechTextType.Ssml), Request("Hello", language: "en-US"),
        ];
        foreach (var request in requests)
        {
            await cache.SynthesizeAsync(request, default);
        }

        Assert.Equal(requests.Length, backend.Calls);
        Assert.Equal(requests.Length, cache.Count);
    }

    [Fact]
    public async Task Synthesize_OverBudget_LeastRecentlyUsedIsDropped()
    {
        var backend = new CountingSynthesizer();
        // Each entry is 10 chars * 100 samples * 2 bytes = 2000 bytes; room for two.
        var cache = new CachingSpeechSynthesizer(backend, 4000);
        await cache.SynthesizeAsync(Request("aaaaaaaaaa"), default);
        await cache.SynthesizeAsync(Request("bbbbbbbbbb"), default);
        await cache.SynthesizeAsync(Request("aaaaaaaaaa"), default); // a is now the most recent
        await cache.SynthesizeAsync(Request("cccccccccc"), default); // evicts b
        Assert.Equal(3, backend.Calls);
        Assert.True(cache.CachedBytes <= 4000);

        await cache.SynthesizeAsync(Request("aaaaaaaaaa"), default);
        Assert.Equal(3, backend.Calls);
        await cache.SynthesizeAsync(Request("bbbbbbbbbb"), default);
        Assert.Equal(4, backend.Calls);
    }

    [Fact]
    public async Task Synthesize_Failure_NotCached()
    {
        var backend = new CountingSynthesizer { FailNext = 1 };
        var cache = new CachingSpeechSynthesizer(backend, 1_000_000);
        var failed = await cache.SynthesizeAsync(Request("Hello"), default);
        var retried = await cache.SynthesizeAsync(Request("Hello"), default);
        Assert.Equal(SpeechFailure.Throttled, failed.Failure);
        Assert.True(retried.IsSuccess);
        Assert.Equal(2, backend.Calls);
    }

    [Fact]
    public async Task Synthesize_FailureFromABackendThatAnswersAtOnce_IsNeverKept()
    {
        // A backend that answers synchronously can finish the synthesis before the cache has
        // recorded it as pending; a failure kept as pending then answered every later request.
        var backend = new CountingSynthesizer { FailNext = 500 };
        var cache = new CachingSpeechSynthesizer(backend, 100_000_000);
        for (var i = 0; i < 500; i++)
        {
            Assert.Equal(SpeechFailure.Throttled, (await cache.SynthesizeAsync(Request($"text {i}"), default)).Failure);
        }

        for (var i = 0; i < 500; i++)
        {
            Assert.True((await cache.SynthesizeAsync(Request($"text {i}"), default)).IsSuccess, $"request {i} still answered by its failure");
        }

        Assert.Equal(1000, backend.Calls);
    }

    [Fact]
    public async Task Synthesize_ConcurrentSameRequest_OneSynthesisShared()
    {
        var gate = new TaskCompletionSource();
        var backend = new CountingSynthesizer { Gate = gate.Task };
        var cache = new CachingSpeechSynthesizer(backend, 1_000_000);
        var first = cache.SynthesizeAsync(Request("Hello"), default).AsTask();
        var second = cache.SynthesizeAsync(Request("Hello"), default).AsTask();
        gate.SetResult();
        var results = await Task.WhenAll(first, second);
        Assert.Equal(1, backend.Calls);
        Assert.Same(results[0].Audio, results[1].Audio);
    }

    [Fact]
    public async Task Synthesize_WaiterCancelled_OthersStillGetTheAudio()
    {
        var gate = new TaskCompletionSource();
        var backend = new CountingSynthesizer { Gate = gate.Task };
        var cache = new CachingSpeechSynthesizer(backend, 1_000_000);
        using var cancel = new CancellationTokenSource();
        var first = cache.SynthesizeAsync(Request("Hello"), cancel.Token).AsTask();
        var second = cache.SynthesizeAsync(Request("Hello"), default).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        gate.SetResult();
        Assert.True((await second).IsSuccess);
    }

    [Fact]
    public async Task Synthesize_BackendThrows_FailedResultNotException()
    {
        var cache = new CachingSpeechSynthesizer(new CountingSynthesizer { Throw = true }, 1_000_000);
        var result = await cache.SynthesizeAsync(Request("Hello"), default);
        Assert.Equal(SpeechFailure.SystemError, result.Failure);
    }

    /// <summary>A backend whose audio length follows the text: 100 samples per character.</summary>
    private sealed class CountingSynthesizer : ISpeechSynthesizer
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public int FailNext { get; set; }

        public bool Throw { get; set; }

        public Task Gate { get; init; } = Task.CompletedTask;

        public async ValueTask<SpeechResult> SynthesizeAsync(SpeechRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            await Gate;
            if (Throw)
            {
                throw new InvalidOperationException("backend bug");
            }

            if (FailNext > 0)
            {
                FailNext--;
                return SpeechResult.Fail(SpeechFailure.Throttled, "slow down");
            }

            return SpeechResult.Success(new PcmAudio(new short[request.Text.Length * 100]));
        }
    }
}
