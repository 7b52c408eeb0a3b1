using OpenSma.Media.Audio;
using OpenSma.Media.Filters;
using OpenSma.Media.Tests.TestSupport;
using Xunit.Abstractions;

namespace OpenSma.Media.Tests.Filters;

public sealed class NoiseSuppressorTests(ITestOutputHelper output)
{
    private const int Frame = PcmAudio.SamplesPerFrame;

    private static short[] WhiteNoise(int count, double rms, int seed)
    {
        // Sum of uniforms: close to Gaussian, deterministic.
        var random = new Random(seed);
        var samples = new short[count];
        for (var i = 0; i < count; i++)
        {
            var u = random.NextDouble() + random.NextDouble() + random.NextDouble() + random.NextDouble() - 2;
            samples[i] = (short)Math.Clamp(Math.Round(u * rms * Math.Sqrt(3)), short.MinValue, short.MaxValue);
        }

        return samples;
    }

    private static short[] Run(IAudioFilter filter, short[] input, int frame = Frame)
    {
        var result = (short[])input.Clone();
        for (var offset = 0; offset < result.Length; offset += frame)
        {
            filter.Process(result.AsSpan(offset, Math.Min(frame, result.Length - offset)));
        }

        return result;
    }

    private static double Db(double ratio) => 20 * Math.Log10(ratio);

    [Fact]
    public void Process_SteadyWhiteNoise_DropsByAtLeast12Db()
    {
        var input = WhiteNoise(8000 * 4, 1000, 1);
        var filtered = Run(new NoiseSuppressor(), input);

        // Measured after one second of learning.
        var drop = Db(Signal.Rms(filtered.AsSpan(8000)) / Signal.Rms(input.AsSpan(8000)));
        output.WriteLine($"white noise at -30 dBFS: {drop:F1} dB");
        Assert.InRange(drop, -NoiseSuppressor.MaxAttenuationDb - 1, -12);
    }

    [Fact]
    public void Process_ToneBurstsOverNoise_KeepTheToneWithin1Db_AndRemoveNoiseElsewhere()
    {
        // Noise alone for 1 s, then 300 ms tone bursts with 300 ms gaps, the rhythm of syllables:
        // a suppressor learns a tone that never stops as noise (hum), so the bursts must end.
        const int count = 8000 * 4;
        var noise = WhiteNoise(count, 300, 2);
        var tone = Signal.Sine(1000, 6000, 8000, count);
        var input = new short[count];
        for (var i = 0; i < count; i++)
        {
            var on = i >= 8000 && (i - 8000) % 4800 < 2400;
            input[i] = (short)Math.Clamp(Math.Round((on ? tone[i] : 0) + noise[i]), short.MinValue, short.MaxValue);
        }

        var filter = new NoiseSuppressor();
        var filtered = Run(filter, input);
        var latency = filter.Latency;
        double toneIn = 0, toneOut = 0, noiseIn = 0, noiseOut = 0;
        for (var burst = 8000; burst + 4800 <= count - latency; burst += 4800)
        {
            // The middle 200 ms of each burst, and of each gap, aligned for the filter's delay.
            var burstIn = input.AsSpan(burst + 400, 1600);
            var burstOut = filtered.AsSpan(burst + 400 + latency, 1600);
            toneIn += Signal.Amplitude(burstIn, 1000);
            toneOut += Signal.Amplitude(burstOut, 1000);
            noiseIn += Signal.Rms(input.AsSpan(burst + 2400 + 400, 1600));
            noiseOut += Signal.Rms(filtered.AsSpan(burst + 2400 + 400 + latency, 1600));
        }

        var toneChange = Db(toneOut / toneIn);
        var noiseChange = Db(noiseOut / noiseIn);
        output.WriteLine($"tone bursts {toneChange:F2} dB, noise between bursts {noiseChange:F1} dB");
        Assert.InRange(toneChange, -1, 1);
        Assert.True(noiseChange < -12, $"noise between bursts changed by {noiseChange:F1} dB");
    }

    [Fact]
    public void Process_LoudToneAfterSilence_ComesOutDelayedByTheLatency()
    {
        var input = new short[8000];
        var tone = Signal.Sine(700, 8000, 8000, input.Length);
        for (var i = 4000; i < input.Length; i++)
        {
            input[i] = (short)Math.Round(tone[i]);
        }

        var filter = new NoiseSuppressor();
        var filtered = Run(filter, input);

        // Over a silent floor the gain is 1: the tone passes unchanged, shifted by exactly Latency.
        var latency = filter.Latency;
        Assert.Equal(255, latency);
        double error = 0, energy = 0;
        for (var i = 4800; i < input.Length; i++)
        {
            error += Math.Pow(filtered[i] - input[i - latency], 2);
            energy += Math.Pow(input[i - latency], 2);
        }

        Assert.True(error / energy < 0.001, $"residual {10 * Math.Log10(error / energy):F1} dB");
    }

    [Fact]
    public void Process_AnyFrameLengths_GiveTheSameOutput()
    {
        var input = WhiteNoise(8000 * 2, 2000, 3);
        var expected = Run(new NoiseSuppressor(), input);

        var filter = new NoiseSuppressor();
        var actual = (short[])input.Clone();
        var random = new Random(4);
        for (var offset = 0; offset < actual.Length;)
        {
            var length = Math.Min(random.Next(1, 400), actual.Length - offset);
            filter.Process(actual.AsSpan(offset, length));
            offset += length;
        }

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Reset_ForgetsState_SoTheSameInputGivesTheSameOutput()
    {
        var filter = new NoiseSuppressor();
        var input = WhiteNoise(4000, 1500, 5);
        var first = Run(filter, input);
        filter.Reset();
        Assert.Equal(first, Run(filter, input));
    }

    [Fact]
    public void Process_Silence_StaysSilent()
    {
        var filtered = Run(new NoiseSuppressor(), new short[4000]);
        Assert.All(filtered, s => Assert.Equal(0, s));
    }

    [Fact]
    public void Process_SteadyState_AllocatesNothing()
    {
        var filter = new NoiseSuppressor();
        var frame = WhiteNoise(Frame, 1000, 6);
        var work = new short[Frame];
        for (var i = 0; i < 50; i++)
        {
            frame.CopyTo(work, 0);
            filter.Process(work);
        }

        // The least of three windows: an allocation per frame shows in every one, a one-off by the
        // runtime on this thread (a tier-up landing mid-run) in one at most.
        var allocated = new List<long>();
        for (var window = 0; window < 3; window++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 500; i++)
            {
                frame.CopyTo(work, 0);
                filter.Process(work);
            }

            allocated.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(allocated.Min() == 0, "allocated bytes per 500 frames: " + string.Join(", ", allocated));
    }
}
