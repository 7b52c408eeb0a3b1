using OpenSma.Media.Clock;

namespace OpenSma.Telephony.Legs;

/// <summary>
/// Stands between the media clock and one leg's RTP session: runs the session's tick, then notes
/// how late against the ideal grid (tick x 20 ms plus its slot's offset) the packet left (with a
/// send lead, how late it reached the wire: never before its due time) and keeps the RFC 3550 jitter estimate of those
/// send times for the stream (<see cref="MediaSendTiming"/>).
/// </summary>
internal sealed class TimedClockListener(IMediaClockListener inner, MediaSendTiming timing, TimeProvider time, long gridStart) : IMediaClockListener
{
    private long _offsetTicks;
    private long _previousLateness;
    private double _jitter;
    private long _ticks;

    public void OnTick(long tick)
    {
        inner.OnTick(tick);
        // A clock with a send lead hands packets to the kernel before they are due, and the kernel
        // sends them at the due time: what is on the wire is late only if the hand-over was.
        var lateness = Math.Max(0, LatenessTicks(time.GetElapsedTime(gridStart).Ticks - Volatile.Read(ref _offsetTicks), tick));
        timing.RecordLateness(lateness);
        if (_ticks++ > 0)
        {
            // D(i-1, i) of RFC 3550 section 6.4.1, with send times in place of arrival times.
            var d = Math.Abs(lateness - _previousLateness);
            _jitter += (d - _jitter) / 16;
        }

        _previousLateness = lateness;
    }

    /// <summary>Where in each tick the clock runs this listener (its slot); packets are due then.</summary>
    public TimeSpan Offset
    {
        get => TimeSpan.FromTicks(Volatile.Read(ref _offsetTicks));
        set => Volatile.Write(ref _offsetTicks, value.Ticks);
    }

    /// <summary>The stream's jitter estimate so far, in ticks of 100 ns.</summary>
    public double JitterTicks => _jitter;

    /// <summary>Records the stream's final estimate; called once when the leg stops sending.</summary>
    public void Complete()
    {
        if (_ticks > 1)
        {
            timing.RecordStreamJitter((long)_jitter);
        }
    }

    internal static long LatenessTicks(long elapsedTicks, long tick) => elapsedTicks - (tick * MediaClock.FrameInterval.Ticks);
}
