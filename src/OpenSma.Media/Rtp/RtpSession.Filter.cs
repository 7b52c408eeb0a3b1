using OpenSma.Media.Filters;
using OpenSma.Media.Mixing;

namespace OpenSma.Media.Rtp;

public sealed partial class RtpSession
{
    private IAudioFilter? _inboundFilter;
    private FrameBuffer? _filterInput;
    private uint _filteredTimestamp; // the filtered audio's own timeline: one frame per delivered tick

    /// <summary>
    /// VoiceFocus (noise suppression) on the audio received from the peer: while on, inbound sinks
    /// (recorders, taps, a bridge or conference) get the audio through a <see cref="NoiseSuppressor"/>.
    /// In-band DTMF detection always sees the audio as received. Turning it on again keeps the
    /// running filter; turning it off drops it.
    /// </summary>
    public bool VoiceFocus
    {
        get => Volatile.Read(ref _inboundFilter) is NoiseSuppressor;
        set
        {
            lock (_receiveGate)
            {
                if (value != _inboundFilter is NoiseSuppressor)
                {
                    SetFilter(value ? new NoiseSuppressor() : null);
                }
            }
        }
    }

    /// <summary>
    /// The filter applied to received audio, null for none. With a filter, received frames first go
    /// through a jitter buffer (<see cref="FrameBuffer"/>: reordering, loss concealment) and the
    /// filter runs on the clock's tick over the audio in playout order, so it never sees packets
    /// out of order or a gap; the sinks then get the filtered frames, one per tick, timed sinks
    /// (<see cref="Playback.ITimedAudioSink"/>, such as a bridge's jitter buffer) with a timestamp
    /// that advances one frame per delivered frame, so the buffers behind see a steady stream and
    /// keep their own delay at its minimum. This adds the buffer's playout delay (adaptive: 40 ms at
    /// the start, down to 20 ms on a steady network) to the filter's own latency.
    /// </summary>
    public IAudioFilter? InboundFilter
    {
        get => Volatile.Read(ref _inboundFilter);
        set
        {
            lock (_receiveGate)
            {
                SetFilter(value);
            }
        }
    }

    private void SetFilter(IAudioFilter? filter)
    {
        if (filter is null)
        {
            Volatile.Write(ref _inboundFilter, null);
            _filterInput?.Clear();
            return;
        }

        if (_inboundFilter is null)
        {
            (_filterInput ??= new FrameBuffer()).Clear();
        }

        Volatile.Write(ref _inboundFilter, filter);
    }

    // Received audio while a filter is on: into the jitter buffer, placed by its timestamp.
    private bool BufferForFilter(ReadOnlySpan<short> frame, uint timestamp)
    {
        if (_inboundFilter is null)
        {
            return false;
        }

        _filterInput!.OnFrame(frame, timestamp);
        return true;
    }

    // On each tick: the next frame in playout order, filtered, to every inbound sink.
    private void DeliverFiltered(short[] frame)
    {
        var filter = Volatile.Read(ref _inboundFilter);
        var input = _filterInput;
        if (filter is null || input is null || !input.TryReadFrame(frame))
        {
            return;
        }

        filter.Process(frame);
        var timestamp = _filteredTimestamp;
        _filteredTimestamp = unchecked(timestamp + (uint)frame.Length);
        foreach (var sink in Volatile.Read(ref _inboundSinks))
        {
            if (sink is Playback.ITimedAudioSink timed)
            {
                timed.OnFrame(frame, timestamp);
            }
            else
            {
                sink.OnFrame(frame);
            }
        }
    }
}
