using OpenSma.Media.Audio;
using OpenSma.Media.Playback;

namespace OpenSma.Media.Mixing;

/// <summary>
/// Carries audio from packet arrival (written on the receive thread) to the media clock (read
/// once per tick): a small jitter buffer. Output starts once two frames are queued, so packets
/// arriving a little early or late against the tick do not cause gaps; after an underrun it
/// re-primes. Beyond <see cref="MaxFrames"/> the oldest audio is dropped so latency stays bounded.
/// </summary>
public sealed class FrameBuffer : IAudioSink, IAudioSource
{
    public const int PrimeFrames = 2;
    public const int MaxFrames = 8;
    private const int Capacity = MaxFrames * PcmAudio.SamplesPerFrame;

    private readonly Lock _gate = new();
    private readonly short[] _ring = new short[Capacity];
    private int _start;
    private int _count;
    private bool _primed;

    public int BufferedSamples
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    public long DroppedSamples { get; private set; }

    public long UnderrunFrames { get; private set; }

    public void OnFrame(ReadOnlySpan<short> frame)
    {
        lock (_gate)
        {
            if (frame.Length >= Capacity)
            {
                frame = frame[^Capacity..];
            }

            var overflow = _count + frame.Length - Capacity;
            if (overflow > 0)
            {
                _start = (_start + overflow) % Capacity;
                _count -= overflow;
                DroppedSamples += overflow;
            }

            var end = (_start + _count) % Capacity;
            var first = Math.Min(frame.Length, Capacity - end);
            frame[..first].CopyTo(_ring.AsSpan(end));
            frame[first..].CopyTo(_ring);
            _count += frame.Length;
        }
    }

    public void ReadFrame(Span<short> frame)
    {
        lock (_gate)
        {
            if (!_primed)
            {
                if (_count < PrimeFrames * PcmAudio.SamplesPerFrame)
                {
                    frame.Clear();
                    return;
                }

                _primed = true;
            }

            var take = Math.Min(frame.Length, _count);
            var first = Math.Min(take, Capacity - _start);
            _ring.AsSpan(_start, first).CopyTo(frame);
            _ring.AsSpan(0, take - first).CopyTo(frame[first..]);
            _start = (_start + take) % Capacity;
            _count -= take;
            if (take < frame.Length)
            {
                frame[take..].Clear();
                _primed = false;
                UnderrunFrames++;
            }
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _start = 0;
            _count = 0;
            _primed = false;
        }
    }
}
