namespace OpenSma.Media.Filters;

/// <summary>
/// Noise suppression for VoiceFocus: a short-time Fourier transform (256-sample frames, 32 ms at
/// 8 kHz, hop 128, square-root Hann windows so analysis and synthesis overlap-add back to the input
/// when the gain is 1), a running noise floor per frequency bin, and a Wiener gain driven by a
/// decision-directed a-priori SNR (Ephraim and Malah), which keeps the residual noise smooth
/// instead of "musical". The noise floor follows the minimum of the smoothed spectrum: it drops
/// at once when the level falls and rises slowly (3 dB/s) while it stays above, so speech does not
/// pull it up but a louder steady noise is learned within a few seconds. The gain never goes
/// below <see cref="MaxAttenuationDb"/>, so the remaining noise keeps its character and the
/// speech is never gated hard. Delay: 255 samples (about 32 ms), constant. Works on frames of any
/// length and allocates nothing after construction. What a leg keeps is its state (input and
/// overlap history, spectra, noise floor, output queue, about 4 KB); the transform and the buffers
/// one hop works in are the thread's (<see cref="HopScratch"/>), since a hop never leaves the
/// thread that started it.
/// </summary>
public sealed class NoiseSuppressor : IAudioFilter
{
    public const int FrameSize = 256;
    public const int Hop = FrameSize / 2;

    /// <summary>The deepest the gain goes, in dB.</summary>
    public const double MaxAttenuationDb = 20;

    private const int Bins = (FrameSize / 2) + 1;

    // Smoothing of the power spectrum over hops before the minimum is tracked.
    private const float SpectrumSmoothing = 0.7f;

    // 3 dB per second at 62.5 hops per second.
    private static readonly float NoiseRise = (float)Math.Pow(10, 0.3 / 62.5);

    // The minimum of a smoothed periodogram sits below the mean noise power; this restores it.
    private const float MinimumBias = 2.0f;

    // Weight of the previous hop's clean estimate in the a-priori SNR.
    private const float DecisionDirected = 0.98f;

    // Hops at the start (about 100 ms) during which the floor is the average, not the minimum.
    private const int LearningHops = 6;

    private static readonly float MinGain = (float)Math.Pow(10, -MaxAttenuationDb / 20);
    private static readonly float[] Window = CreateWindow();

    private readonly float[] _input = new float[FrameSize];
    private readonly float[] _overlap = new float[FrameSize];
    private readonly float[] _smoothed = new float[Bins];
    private readonly float[] _noise = new float[Bins];
    private readonly float[] _previousClean = new float[Bins];
    private readonly short[] _output = new short[2 * Hop];
    private int _pending;
    private int _outputStart;
    private int _outputCount;
    private long _hops;

    public NoiseSuppressor()
    {
        Reset();
    }

    public int Latency => Hop - 1 + FrameSize - Hop;

    public void Process(Span<short> frame)
    {
        for (var i = 0; i < frame.Length; i++)
        {
            _input[FrameSize - Hop + _pending] = frame[i];
            if (++_pending == Hop)
            {
                _pending = 0;
                ProcessHop();
            }

            frame[i] = _output[_outputStart];
            _outputStart = (_outputStart + 1) % _output.Length;
            _outputCount--;
        }
    }

    public void Reset()
    {
        Array.Clear(_input);
        Array.Clear(_overlap);
        Array.Clear(_smoothed);
        Array.Clear(_noise);
        Array.Clear(_previousClean);
        Array.Clear(_output);

        // Hop - 1 samples of silence ahead of the first processed hop keep the output queue from
        // running dry, whatever the frame length.
        _outputStart = 0;
        _outputCount = Hop - 1;
        _pending = 0;
        _hops = 0;
    }

    private void ProcessHop()
    {
        var scratch = HopScratch.ForThisThread;
        var frame = scratch.Frame;
        for (var n = 0; n < FrameSize; n++)
        {
            frame[n] = _input[n] * Window[n];
        }

        scratch.Fft.Forward(frame, scratch.Re, scratch.Im);
        ApplyGains(scratch.Re, scratch.Im);
        scratch.Fft.Inverse(scratch.Re, scratch.Im, frame);

        for (var n = 0; n < FrameSize; n++)
        {
            _overlap[n] += frame[n] * Window[n];
        }

        var end = (_outputStart + _outputCount) % _output.Length;
        for (var n = 0; n < Hop; n++)
        {
            _output[end] = (short)Math.Clamp(MathF.Round(_overlap[n]), short.MinValue, short.MaxValue);
            end = (end + 1) % _output.Length;
        }

        _outputCount += Hop;
        Array.Copy(_overlap, Hop, _overlap, 0, FrameSize - Hop);
        Array.Clear(_overlap, FrameSize - Hop, Hop);
        Array.Copy(_input, Hop, _input, 0, FrameSize - Hop);
        _hops++;
    }

    private void ApplyGains(float[] re, float[] im)
    {
        var learning = _hops < LearningHops;
        for (var k = 0; k < Bins; k++)
        {
            var power = (re[k] * re[k]) + (im[k] * im[k]);
            if (_hops == 0)
            {
                _smoothed[k] = power;
                _noise[k] = power;
            }
            else
            {
                _smoothed[k] = (SpectrumSmoothing * _smoothed[k]) + ((1 - SpectrumSmoothing) * power);
                if (learning)
                {
                    _noise[k] += (_smoothed[k] - _noise[k]) / (_hops + 1);
                }
                else if (_smoothed[k] < _noise[k])
                {
                    _noise[k] = _smoothed[k];
                }
                else
                {
                    _noise[k] *= NoiseRise;
                }
            }

            var noise = Math.Max(_noise[k] * (learning ? 1 : MinimumBias), 1e-3f);
            var posterior = power / noise;
            var prior = (DecisionDirected * _previousClean[k] / noise) + ((1 - DecisionDirected) * Math.Max(posterior - 1, 0));
            var gain = Math.Max(prior / (1 + prior), MinGain);
            _previousClean[k] = gain * gain * power;

            re[k] *= gain;
            im[k] *= gain;
        }
    }

    private static float[] CreateWindow()
    {
        // sqrt of the periodic Hann window: sin^2 at 50% overlap sums to exactly 1.
        var window = new float[FrameSize];
        for (var n = 0; n < FrameSize; n++)
        {
            window[n] = (float)Math.Sin(Math.PI * n / FrameSize);
        }

        return window;
    }

    /// <summary>
    /// The transform (its twiddle tables and work arrays) and the windowed frame and spectrum of
    /// one hop: about 5 KB that every suppressor would otherwise carry, one set per thread instead.
    /// A hop runs start to end on one thread and calls out to nothing, so no two hops share a set.
    /// </summary>
    private sealed class HopScratch
    {
        [ThreadStatic]
        private static HopScratch? t_scratch;

        public static HopScratch ForThisThread => t_scratch ??= new HopScratch();

        public RealFft Fft { get; } = new(FrameSize);

        public float[] Frame { get; } = new float[FrameSize];

        public float[] Re { get; } = new float[Bins];

        public float[] Im { get; } = new float[Bins];
    }
}
