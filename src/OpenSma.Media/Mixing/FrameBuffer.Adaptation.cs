namespace OpenSma.Media.Mixing;

/// <summary>The adaptive playout delay of timed frames: moving the playout point toward the target.</summary>
public sealed partial class FrameBuffer
{
    // Shrink only when more than this above the target, so growing by a pitch period does not
    // invite shrinking straight back.
    private const int ShrinkMargin = 80;

    // How long the delay must have stayed above the target before it is shrunk: in quiet frames,
    // in voiced ones (a pitch period at a time), and in any audio (when there are no pauses and
    // no clear pitch, for example steady noise).
    private const int QuietShrinkReads = 50;
    private const int VoicedShrinkReads = 150;
    private const int AnyShrinkReads = 250;

    private const float VoicedCorrelation = 0.8f;

    // Quiet: below -54 dBFS, or 20 dB below the recent loudest frame.
    private const float QuietFloor = 64f * 64f;
    private const float QuietRatio = 0.01f;
    private const float LoudnessDecay = 0.995f; // per frame: about 1 dB per second

    private const int MinQuietRemoval = 8;

    // How far playout runs behind the fastest recent packet, in samples (before this tick's read).
    private int Margin() => unchecked((int)(_clock - _playTimestamp - _delay.Reference));

    private int Target() => _delay.Target(_clock, Capacity - Frame);

    // Timed frames start (and resume after an underrun) once playout is the target behind the
    // fastest packet, with a frame's worth of audio queued; untimed ones once PrimeFrames are queued.
    private bool Ready() => _adaptive
        ? _end >= Frame && Margin() >= Target()
        : _end >= PrimeFrames * Frame;

    // Resuming with the first queued audio further ahead than the target needs (the sender paused,
    // with its timestamps running on): skip the gap instead of playing it as concealment.
    private void SkipLeadingGap()
    {
        var spare = Margin() - Target();
        var gap = 0;
        while (gap < spare && gap < _end && !IsPresent((_readIndex + gap) % Capacity))
        {
            gap++;
        }

        if (gap > 0)
        {
            Advance(gap);
        }
    }

    // One frame of output with the playout point moved, or false to play normally.
    private bool Adapt(Span<short> frame)
    {
        if (_concealer.Concealing)
        {
            // Concealing or merging back: leave the concealer's timeline alone.
            _aboveReads = 0;
            return false;
        }

        var excess = Margin() - Target();
        _aboveReads = excess > ShrinkMargin ? _aboveReads + 1 : 0;
        if (excess < 0)
        {
            return Expand(frame, -excess);
        }

        return _aboveReads >= QuietShrinkReads && Accelerate(frame, excess);
    }

    // Lengthens this frame by a pitch period or more (any length in silence), at most a frame,
    // repeating audio just played: fast, every tick while the delay is short.
    private bool Expand(Span<short> frame, int deficit)
    {
        if (Contiguous(Frame) < Frame)
        {
            return false;
        }

        // The last frame played, then the frame at the playout point.
        Span<short> signal = stackalloc short[2 * Frame];
        for (var i = 0; i < Frame; i++)
        {
            signal[i] = _concealer.Recent(Frame - i);
        }

        CopyQueued(signal[Frame..]);
        var wanted = Math.Min(deficit, Frame);
        int added;
        if (Quiet(signal[Frame..]))
        {
            added = wanted;
        }
        else if (TimeStretch.ContainsDtmfTone(signal))
        {
            return false; // a key's tone plays whole and unspliced; the delay grows after it
        }
        else
        {
            var lag = TimeStretch.BestLag(signal, Frame, TimeStretch.MaxLag, forward: false, out _);
            added = lag * Math.Max(1, wanted / lag);
        }

        TimeStretch.Lengthen(signal, Frame, added, frame);
        Play(frame);
        Consume(Frame - added);
        ExpandedSamples += added;
        return true;
    }

    // Shortens this frame: in quiet audio by up to a frame, in voiced audio (after longer, and in
    // every other frame) by one pitch period; never below the target.
    private bool Accelerate(Span<short> frame, int excess)
    {
        var most = Math.Min(Math.Min(excess, Frame), Contiguous(2 * Frame) - Frame);
        if (most < MinQuietRemoval)
        {
            return false;
        }

        Span<short> window = stackalloc short[2 * Frame];
        var input = window[..(Frame + most)];
        CopyQueued(input);
        int removed;
        if (Quiet(input))
        {
            removed = most;
        }
        else if (TimeStretch.ContainsDtmfTone(input))
        {
            return false; // a key's tone keeps its length: shortened, a detector downstream may miss it
        }
        else if (_aboveReads >= VoicedShrinkReads && (_aboveReads & 1) == 0 && most >= TimeStretch.MinLag)
        {
            // Every other frame at most: a period less in each would speed speech up by up to 75%.
            removed = TimeStretch.BestLag(input, 0, Math.Min(most, TimeStretch.MaxLag), forward: true, out var score);
            if (score < VoicedCorrelation && _aboveReads < AnyShrinkReads)
            {
                return false;
            }
        }
        else
        {
            return false;
        }

        TimeStretch.Shorten(window[..(Frame + removed)], removed, frame);
        Play(frame);
        Consume(Frame + removed);
        AcceleratedSamples += removed;
        return true;
    }

    private bool Quiet(ReadOnlySpan<short> samples)
    {
        var energy = TimeStretch.Energy(samples);
        return energy < QuietFloor || energy < _loudness * QuietRatio;
    }

    // A slow peak of the output's energy, for telling pauses from speech.
    private void Listen(ReadOnlySpan<short> frame)
    {
        var energy = TimeStretch.Energy(frame);
        _loudness = energy > _loudness ? energy : _loudness * LoudnessDecay;
    }

    private void Play(Span<short> frame)
    {
        for (var i = 0; i < frame.Length; i++)
        {
            frame[i] = _concealer.Real(frame[i]);
        }

        _played = true;
        Listen(frame);
    }

    // Queued samples present without a gap from the playout point, up to limit.
    private int Contiguous(int limit)
    {
        var count = 0;
        var most = Math.Min(limit, _end);
        while (count < most && IsPresent((_readIndex + count) % Capacity))
        {
            count++;
        }

        return count;
    }

    private void CopyQueued(Span<short> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = _ring[(_readIndex + i) % Capacity];
        }
    }

    private void Consume(int samples)
    {
        for (var i = 0; i < samples; i++)
        {
            SetAbsent((_readIndex + i) % Capacity);
        }

        Advance(samples);
    }
}
