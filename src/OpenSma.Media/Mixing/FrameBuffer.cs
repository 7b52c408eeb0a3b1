using OpenSma.Media.Audio;
using OpenSma.Media.Playback;

namespace OpenSma.Media.Mixing;

/// <summary>
/// The jitter buffer between packet arrival (the receive thread) and the media clock (one read per
/// tick). Frames are placed by their RTP timestamp, so packets that arrive out of order within the
/// buffer's capacity (<see cref="MaxFrames"/>) play in order, and a late duplicate or a packet whose
/// time has passed is dropped. Missing audio (a lost packet while later audio is queued, or an
/// underrun) is concealed by pitch waveform substitution (<see cref="LossConcealer"/>, after G.711
/// Appendix I): the last pitch period is repeated with overlap-add and faded over
/// <see cref="ConcealmentFrames"/> frames (60 ms), then silence. A gap in the timestamps longer than
/// the buffer's capacity (silence suppression, a pause under a telephone-event) is collapsed: the
/// next audio follows what is queued. Audio further ahead than the capacity otherwise drops the
/// oldest, so latency stays bounded; a jump of more than two seconds is a new timeline (a new SSRC
/// or a restarted sender) and resets the buffer.
/// <para>
/// Timed frames (<see cref="OnFrame(ReadOnlySpan{short}, uint)"/>, from the network) get an
/// adaptive playout delay: <see cref="PlayoutDelayEstimator"/> measures each packet's delay from
/// its timestamp and the read clock (the samples read so far) and sets a target, how far behind
/// the fastest recent packet playout runs (<see cref="TargetSamples"/>). Output starts, and
/// resumes after an underrun, once playout is that far behind (the wait is concealed; a gap ahead
/// of the first queued audio is skipped rather than waited through). While playing, a delay below
/// the target is grown at once by repeating a pitch period (or, in silence, any segment) with an
/// overlap-add (<see cref="ExpandedSamples"/>); a delay more than 10 ms above the target is shrunk
/// only after it has stayed there for a second, first in quiet frames (up to a frame at a time),
/// after three seconds also by removing a pitch period from voiced audio (in every other frame),
/// after five from any audio (<see cref="AcceleratedSamples"/>). See <see cref="TimeStretch"/>. The
/// read clock, not the transport's arrival times, is the right one for playout: a packet is in
/// time if it is queued at the tick that needs it, whenever the kernel received it; and tests
/// drive it on virtual time by interleaving writes and reads.
/// </para>
/// Frames without a timestamp (<see cref="OnFrame(ReadOnlySpan{short})"/>: a local player, a
/// virtual leg, audio already in playout order) are appended in order and get a fixed delay: output
/// starts once <see cref="PrimeFrames"/> are queued (40 ms, absorbing the phase between two clocks),
/// re-primes the same way after an underrun, and is never stretched or shortened, so what a local
/// source wrote plays (and is recorded) sample for sample.
/// </summary>
public sealed partial class FrameBuffer : ITimedAudioSink, IAudioSource
{
    public const int PrimeFrames = 2;
    public const int MaxFrames = 8;

    /// <summary>How many 20 ms frames a loss is concealed for before the output falls silent.</summary>
    public const int ConcealmentFrames = 3;

    private const int Frame = PcmAudio.SamplesPerFrame;
    private const int Capacity = MaxFrames * Frame;
    private const int ResyncSamples = 2 * PcmAudio.SampleRate;

    private readonly Lock _gate = new();
    private readonly short[] _ring = new short[Capacity];
    private readonly ulong[] _present = new ulong[Capacity / 64]; // one bit per ring sample: 160 bytes, not 1,280
    private readonly LossConcealer _concealer = new();
    private bool _started;
    private bool _primed;
    private uint _playTimestamp;
    private int _readIndex;
    private int _end;
    private bool _played;

    // Adaptive playout (timed frames): the read clock in samples, the delay statistics, how many
    // reads in a row the delay has been above the target, and a slow peak of the output's energy.
    private uint _clock;
    private bool _adaptive;
    private PlayoutDelayEstimator _delay;
    private int _aboveReads;
    private float _loudness;

    public FrameBuffer()
    {
        _delay.Reset();
    }

    /// <summary>Samples from the playout point to the newest queued one (gaps included).</summary>
    public int BufferedSamples
    {
        get
        {
            lock (_gate)
            {
                return _end;
            }
        }
    }

    /// <summary>Queued samples dropped to keep the latency bounded.</summary>
    public long DroppedSamples { get; private set; }

    /// <summary>Received samples that arrived after their playout time.</summary>
    public long LateSamples { get; private set; }

    public long UnderrunFrames { get; private set; }

    /// <summary>Samples removed by the adaptive playout to shorten the delay.</summary>
    public long AcceleratedSamples { get; private set; }

    /// <summary>Samples inserted (pitch periods repeated) by the adaptive playout to lengthen the delay while audio was queued.</summary>
    public long ExpandedSamples { get; private set; }

    /// <summary>
    /// What the buffer aims to hold when a frame is read: one frame plus the target delay over the
    /// fastest recent packet for timed frames; <see cref="PrimeFrames"/> frames for untimed ones.
    /// </summary>
    public int TargetSamples
    {
        get
        {
            lock (_gate)
            {
                return _adaptive ? Frame + Target() : PrimeFrames * Frame;
            }
        }
    }

    /// <summary>
    /// The current playout delay in the same terms: one frame plus how far playout runs behind the
    /// fastest recent packet (timed frames); the queued samples for untimed ones.
    /// </summary>
    public int DepthSamples
    {
        get
        {
            lock (_gate)
            {
                return _adaptive && _started ? Frame + Margin() : _end;
            }
        }
    }

    /// <summary>Frames played with concealment because a packet in them was missing (not counting underruns).</summary>
    public long ConcealedFrames { get; private set; }

    public void OnFrame(ReadOnlySpan<short> frame)
    {
        lock (_gate)
        {
            Write(frame, _started ? unchecked(_playTimestamp + (uint)_end) : 0, timed: false);
        }
    }

    public void OnFrame(ReadOnlySpan<short> frame, uint timestamp)
    {
        lock (_gate)
        {
            Write(frame, timestamp, timed: true);
        }
    }

    public void ReadFrame(Span<short> frame)
    {
        lock (_gate)
        {
            ReadLocked(frame);
            _clock += (uint)frame.Length;
        }
    }

    /// <summary>
    /// Reads the next frame only when there is audio to play (queued, or a loss between queued
    /// audio to conceal); false, with nothing consumed, while priming or when nothing is queued.
    /// For consumers that pass audio on in order and must not invent frames of their own.
    /// </summary>
    internal bool TryReadFrame(Span<short> frame)
    {
        lock (_gate)
        {
            var ready = _started && _end > 0 && (_primed || Ready());
            if (ready)
            {
                ReadLocked(frame);
            }
            else if (_adaptive)
            {
                // Nothing to play is an underrun for the adaptive delay: start again at the target.
                _primed = false;
            }

            _clock += (uint)frame.Length;
            return ready;
        }
    }

    private void ReadLocked(Span<short> frame)
    {
        if (!_primed)
        {
            if (!_started || !Ready())
            {
                Conceal(frame);
                return;
            }

            _primed = true;
            if (_adaptive)
            {
                SkipLeadingGap();
            }
        }

        if (_adaptive && frame.Length == Frame && Adapt(frame))
        {
            return;
        }

        var take = Math.Min(frame.Length, _end);
        var complete = take == frame.Length;
        for (var i = 0; i < frame.Length; i++)
        {
            var index = (_readIndex + i) % Capacity;
            if (i < take && IsPresent(index))
            {
                frame[i] = _concealer.Real(_ring[index]);
                SetAbsent(index);
                _played = true;
            }
            else
            {
                frame[i] = _played ? _concealer.Missing() : (short)0;
                complete = false;
            }
        }

        Advance(take);
        if (_adaptive)
        {
            Listen(frame);
        }

        if (take < frame.Length)
        {
            // Underrun: nothing more is queued. The playout point waits for the late audio.
            _primed = false;
            UnderrunFrames++;
        }
        else if (!complete)
        {
            ConcealedFrames++;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            Array.Clear(_present);
            _concealer.Reset();
            _started = false;
            _primed = false;
            _played = false;
            _end = 0;
            _adaptive = false;
            _delay.Reset();
            _aboveReads = 0;
            _loudness = 0;
        }
    }

    private void Write(ReadOnlySpan<short> frame, uint timestamp, bool timed)
    {
        if (frame.IsEmpty)
        {
            return;
        }

        var offset = unchecked((int)(timestamp - _playTimestamp));
        if (!_started || offset is < -ResyncSamples or > ResyncSamples)
        {
            Restart(timestamp);
            offset = 0;
            if (timed)
            {
                _delay.Rebase(_clock, unchecked(_clock - timestamp));
            }
        }

        _adaptive = timed;
        if (timed)
        {
            _delay.OnArrival(_clock, unchecked(_clock - timestamp));
        }

        if (offset < 0)
        {
            var late = Math.Min(-offset, frame.Length);
            LateSamples += late;
            frame = frame[late..];
            offset = 0;
            if (frame.IsEmpty)
            {
                return;
            }
        }

        if (frame.Length > Capacity)
        {
            offset += frame.Length - Capacity;
            frame = frame[^Capacity..];
        }

        if (offset > _end && offset + frame.Length > Capacity)
        {
            // The sender skipped more time than the buffer holds (silence suppression, a pause
            // under a telephone-event, a stalled sender): collapse the gap so the new audio
            // follows what is queued instead of sitting at the far end of the buffer, which
            // would keep the latency at its maximum from then on.
            _playTimestamp = unchecked(_playTimestamp + (uint)(offset - _end));
            offset = _end;
        }

        var overflow = offset + frame.Length - Capacity;
        if (overflow > 0)
        {
            for (var i = 0; i < Math.Min(overflow, _end); i++)
            {
                var index = (_readIndex + i) % Capacity;
                if (IsPresent(index))
                {
                    SetAbsent(index);
                    DroppedSamples++;
                }
            }

            Advance(overflow);
            offset -= overflow;
        }

        var start = (_readIndex + offset) % Capacity;
        var first = Math.Min(frame.Length, Capacity - start);
        frame[..first].CopyTo(_ring.AsSpan(start));
        SetPresent(start, first);
        frame[first..].CopyTo(_ring);
        SetPresent(0, frame.Length - first);
        _end = Math.Max(_end, offset + frame.Length);
    }

    private bool IsPresent(int index) => (_present[index >> 6] & (1UL << index)) != 0;

    private void SetAbsent(int index) => _present[index >> 6] &= ~(1UL << index);

    private void SetPresent(int start, int count)
    {
        for (var index = start; index < start + count; index++)
        {
            _present[index >> 6] |= 1UL << index;
        }
    }

    private void Restart(uint timestamp)
    {
        Array.Clear(_present);
        _started = true;
        _primed = false;
        _playTimestamp = timestamp;
        _readIndex = 0;
        _end = 0;
        _aboveReads = 0;
    }

    private void Advance(int samples)
    {
        _readIndex = (_readIndex + samples) % Capacity;
        _playTimestamp = unchecked(_playTimestamp + (uint)samples);
        _end = Math.Max(0, _end - samples);
    }

    // Nothing to play: before any audio, silence; after audio, the concealer's substitute.
    private void Conceal(Span<short> frame)
    {
        if (!_played)
        {
            frame.Clear();
            return;
        }

        for (var i = 0; i < frame.Length; i++)
        {
            frame[i] = _concealer.Missing();
        }
    }
}
