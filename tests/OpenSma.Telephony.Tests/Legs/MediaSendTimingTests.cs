using Microsoft.Extensions.Time.Testing;
using OpenSma.Media.Clock;
using OpenSma.Telephony.Legs;

namespace OpenSma.Telephony.Tests.Legs;

/// <summary>Send timing against the clock's grid, on a stepped clock: lateness and the RFC 3550 estimator over send times.</summary>
public sealed class MediaSendTimingTests
{
    private sealed class Counting : IMediaClockListener
    {
        public List<long> Ticks { get; } = [];

        public void OnTick(long tick) => Ticks.Add(tick);
    }

    private sealed class SlowListener(FakeTimeProvider time, Func<long, TimeSpan> cost) : IMediaClockListener
    {
        // Stands in for a session whose send takes time: the fake clock moves while it "sends".
        public void OnTick(long tick) => time.Advance(cost(tick));
    }

    [Fact]
    public void OnTick_OnTheGrid_RecordsZeroLatenessAndZeroJitter()
    {
        var time = new FakeTimeProvider();
        var timing = new MediaSendTiming();
        var inner = new Counting();
        var start = time.GetTimestamp();
        var listener = new TimedClockListener(inner, timing, time, start);

        for (var tick = 1; tick <= 50; tick++)
        {
            time.Advance(MediaClock.FrameInterval);
            listener.OnTick(tick);
        }

        listener.Complete();
        var snapshot = timing.Snapshot();
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), inner.Ticks);
        Assert.Equal(50, snapshot.Packets);
        Assert.Equal(0.1, snapshot.LatenessP99Ms, 6);
        Assert.Equal(0, snapshot.LatenessMaxMs);
        Assert.Equal(1, snapshot.Streams);
        Assert.Equal(0.1, snapshot.SendJitterP99Ms, 6);
    }

    [Fact]
    public void OnTick_AlternatingLateness_JitterConvergesToTheRfc3550Value()
    {
        var time = new FakeTimeProvider();
        var timing = new MediaSendTiming();
        var start = time.GetTimestamp();
        // Every other packet leaves 4 ms late: |D| is 4 ms for every pair, so J tends to 4 ms.
        var listener = new TimedClockListener(new SlowListener(time, t => TimeSpan.FromMilliseconds(t % 2 == 0 ? 4 : 0)), timing, time, start);
        for (var tick = 1; tick <= 400; tick++)
        {
            // Move to this tick's grid point (undoing the previous send's lateness), then send.
            time.SetUtcNow(time.Start + TimeSpan.FromTicks(tick * MediaClock.FrameInterval.Ticks));
            listener.OnTick(tick);
        }

        Assert.Equal(4.0, TimeSpan.FromTicks((long)listener.JitterTicks).TotalMilliseconds, 2);
        listener.Complete();
        var snapshot = timing.Snapshot();
        // J approaches 4 ms from below: the bucket 3.9-4.0 ms, reported by its upper edge.
        Assert.Equal(4.0, snapshot.SendJitterP50Ms, 6);
        Assert.Equal(4.0, snapshot.LatenessMaxMs, 6);
        Assert.Equal(0.1, snapshot.LatenessP50Ms, 6);
        Assert.Equal(4.1, snapshot.LatenessP99Ms, 6);
    }

    [Fact]
    public void OnTick_InItsSlot_LatenessCountsFromTheSlotOffset()
    {
        var time = new FakeTimeProvider();
        var timing = new MediaSendTiming();
        var start = time.GetTimestamp();
        var listener = new TimedClockListener(new Counting(), timing, time, start) { Offset = TimeSpan.FromMilliseconds(6) };

        for (var tick = 1; tick <= 10; tick++)
        {
            // The slot is 6 ms into each tick; the packet leaves 1 ms after its slot.
            time.SetUtcNow(time.Start + TimeSpan.FromTicks(tick * MediaClock.FrameInterval.Ticks) + TimeSpan.FromMilliseconds(7));
            listener.OnTick(tick);
        }

        var snapshot = timing.Snapshot();
        Assert.Equal(1.0, snapshot.LatenessMaxMs, 6);
        Assert.Equal(1.1, snapshot.LatenessP99Ms, 6);
        Assert.Equal(0, listener.JitterTicks);
    }
}
