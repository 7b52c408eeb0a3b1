using BenchmarkDotNet.Attributes;
using OpenSma.Media.Audio;
using OpenSma.Media.Codecs;
using OpenSma.Media.Dtmf;

namespace OpenSma.Media.Benchmarks;

/// <summary>Per-frame costs of the hot paths (one 20 ms frame each).</summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private readonly short[] _frame = ToneGenerator.Dtmf('5', TimeSpan.FromMilliseconds(20)).Samples.ToArray();
    private readonly byte[] _payload = new byte[160];
    private readonly short[] _decoded = new short[160];
    private readonly InBandDtmfDetector _detector = new();

    [Benchmark]
    public void EncodeMuLawFrame() => G711.EncodeMuLaw(_frame, _payload);

    [Benchmark]
    public void DecodeMuLawFrame() => G711.DecodeMuLaw(_payload, _decoded);

    [Benchmark]
    public char? InBandDetectFrame() => _detector.Process(_frame);
}

[MemoryDiagnoser]
public class WavBenchmarks
{
    private byte[] _wav44k = [];

    [GlobalSetup]
    public void Setup()
    {
        var samples = new short[44100 * 5];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)(10000 * Math.Sin(2 * Math.PI * 1000 * i / 44100.0));
        }

        _wav44k = WavWriter.WriteMono(samples, 44100);
    }

    /// <summary>Decoding and resampling a 5 s 44.1 kHz prompt (done once per prompt, then cached).</summary>
    [Benchmark]
    public PcmAudio? Decode5s44k() => WavReader.Decode(_wav44k).Audio;
}

/// <summary>VoiceFocus cost: one 20 ms frame through the noise suppressor (1.25 STFT hops on average).</summary>
[MemoryDiagnoser]
public class FilterBenchmarks
{
    private readonly Filters.NoiseSuppressor _suppressor = new();
    private readonly short[] _noisy = new short[PcmAudio.SamplesPerFrame];
    private readonly short[] _frame = new short[PcmAudio.SamplesPerFrame];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        for (var i = 0; i < _noisy.Length; i++)
        {
            _noisy[i] = (short)random.Next(-2000, 2001);
        }
    }

    [Benchmark]
    public void NoiseSuppressFrame()
    {
        _noisy.CopyTo(_frame, 0);
        _suppressor.Process(_frame);
    }
}
