namespace OpenSma.Media.Mixing;

/// <summary>
/// Packet-loss concealment by pitch waveform substitution, after ITU-T G.711 Appendix I. It keeps
/// the last 48.75 ms of output; when samples are missing it finds the pitch period of the recent
/// history (normalized autocorrelation over 20 ms, periods of 5 to 15 ms) and repeats the last
/// period, widening to the last two and then three periods after 10 and 20 ms so a long loss does
/// not buzz, with a quarter-period overlap-add at each widening. From 10 ms into the loss the
/// output fades by 20% per 10 ms, reaching silence at 60 ms. When real audio returns, the
/// synthetic signal is overlap-added into it over a quarter period plus 4 ms per further 10 ms
/// lost (at most 10 ms). Unlike Appendix I it adds no delay: the loss starts where the last real
/// sample ended, which a periodic continuation from one period back joins smoothly.
/// Not thread-safe: <see cref="FrameBuffer"/> calls it under its lock.
/// </summary>
internal sealed class LossConcealer
{
    public const int HistorySamples = 390;
    public const int MinPeriod = 40;
    public const int MaxPeriod = 120;

    private const int CorrelationWindow = 160;
    private const int TenMilliseconds = 80;
    private const int SilentAfter = 6 * TenMilliseconds;

    private const int PitchSamples = 3 * MaxPeriod;

    // Both hold output samples, which are whole 16-bit values: shorts, not floats, halve what a
    // live jitter buffer keeps (the arithmetic reads them as floats, with the same values). The
    // pitch buffer is only needed once a loss starts.
    private readonly short[] _history = new short[HistorySamples];
    private short[]? _pitch;
    private int _historyEnd;
    private int _period;
    private int _periods;
    private int _phase;
    private int _lost;
    private int _fadeOldPeriods;
    private int _fadeOldPhase;
    private int _fadeRemaining;
    private int _fadeLength;
    private int _mergeRemaining;
    private int _mergeLength;

    /// <summary>True while samples are being synthesized (or merged back).</summary>
    public bool Concealing => _lost > 0;

    /// <summary>The period found at the start of the current or last loss, in samples.</summary>
    public int Period => _period;

    /// <summary>A received sample; returns what to play (the sample, or a blend while leaving a loss).</summary>
    public short Real(short sample)
    {
        float value = sample;
        if (_lost > 0)
        {
            if (_mergeRemaining == 0)
            {
                var extra = Math.Max(0, ((_lost + TenMilliseconds - 1) / TenMilliseconds) - 1) * 32;
                _mergeLength = Math.Min(TenMilliseconds, (_period / 4) + extra);
                _mergeRemaining = _mergeLength;
            }

            var weight = (float)(_mergeLength - _mergeRemaining + 1) / (_mergeLength + 1);
            value = (weight * sample) + ((1 - weight) * Synthesize());
            if (--_mergeRemaining == 0)
            {
                _lost = 0;
            }
        }

        return Emit(value);
    }

    /// <summary>A missing sample: the next one of the substituted waveform.</summary>
    public short Missing()
    {
        if (_lost == 0 || _mergeRemaining > 0)
        {
            if (_lost == 0)
            {
                StartLoss();
            }

            // Lost again while merging back: keep synthesizing from where we are.
            _mergeRemaining = 0;
        }

        var value = Synthesize();
        return Emit(value);
    }

    /// <summary>An output sample already played: 1 is the last one, up to <see cref="HistorySamples"/>.</summary>
    public short Recent(int back) => (short)History(back);

    public void Reset()
    {
        Array.Clear(_history);
        _historyEnd = 0;
        _lost = 0;
        _mergeRemaining = 0;
        _fadeRemaining = 0;
    }

    private short Emit(float value)
    {
        var clamped = (short)Math.Clamp(MathF.Round(value), short.MinValue, short.MaxValue);
        _history[_historyEnd] = clamped;
        _historyEnd = (_historyEnd + 1) % HistorySamples;
        return clamped;
    }

    private float History(int back) => _history[(_historyEnd - back + (2 * HistorySamples)) % HistorySamples];

    private void StartLoss()
    {
        _period = FindPeriod();
        var pitch = _pitch ??= new short[PitchSamples];
        for (var i = 0; i < pitch.Length; i++)
        {
            pitch[i] = (short)History(pitch.Length - i);
        }

        _periods = 1;
        _phase = 0;
        _lost = 0;
        _fadeRemaining = 0;
    }

    // The lag in [MinPeriod, MaxPeriod] with the highest normalized correlation between the last
    // 20 ms and the 20 ms one lag earlier.
    private int FindPeriod()
    {
        var best = MaxPeriod;
        var bestScore = float.NegativeInfinity;
        float recentEnergy = 0;
        for (var n = 1; n <= CorrelationWindow; n++)
        {
            recentEnergy += History(n) * History(n);
        }

        if (recentEnergy <= 0)
        {
            return best;
        }

        for (var lag = MinPeriod; lag <= MaxPeriod; lag++)
        {
            float cross = 0;
            float energy = 0;
            for (var n = 1; n <= CorrelationWindow; n++)
            {
                var earlier = History(n + lag);
                cross += History(n) * earlier;
                energy += earlier * earlier;
            }

            var score = energy > 0 ? cross / MathF.Sqrt(energy * recentEnergy) : float.NegativeInfinity;
            if (score > bestScore)
            {
                bestScore = score;
                best = lag;
            }
        }

        return best;
    }

    private float Synthesize()
    {
        var lost = _lost;
        if (lost >= SilentAfter)
        {
            // Stays here however long the loss lasts (no counter to overflow).
            return 0;
        }

        _lost++;

        // Widen the repeated section to two, then three periods after 10 and 20 ms.
        var wanted = lost < TenMilliseconds ? 1 : lost < 2 * TenMilliseconds ? 2 : 3;
        if (wanted != _periods)
        {
            _fadeOldPeriods = _periods;
            _fadeOldPhase = _phase;
            _fadeLength = Math.Max(1, _period / 4);
            _fadeRemaining = _fadeLength;
            _periods = wanted;
            _phase %= _period;
        }

        var pitch = _pitch!;
        float value = pitch[Start(_periods) + _phase];
        if (_fadeRemaining > 0)
        {
            // Quarter-period overlap-add from the old cycle (continuing as if unchanged) into the new one.
            var weight = (float)_fadeRemaining / (_fadeLength + 1);
            var oldPhase = (_fadeOldPhase + (_fadeLength - _fadeRemaining)) % (_fadeOldPeriods * _period);
            float old = pitch[Start(_fadeOldPeriods) + oldPhase];
            value = (weight * old) + ((1 - weight) * value);
            _fadeRemaining--;
        }

        _phase = (_phase + 1) % (_periods * _period);
        var gain = lost < TenMilliseconds ? 1f : 1f - ((lost - TenMilliseconds) / (float)(SilentAfter - TenMilliseconds));
        return value * gain;
    }

    // Index in the pitch buffer where a cycle of the last `periods` periods begins.
    private int Start(int periods) => PitchSamples - (periods * _period);
}
