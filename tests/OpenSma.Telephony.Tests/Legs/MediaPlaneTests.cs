using Microsoft.Extensions.Time.Testing;
using OpenSma.Telephony.Legs;

namespace OpenSma.Telephony.Tests.Legs;

/// <summary>The media plane's clocks: slots per tick and legs shared among several clocks.</summary>
public sealed class MediaPlaneTests
{
    [Fact]
    public void Constructor_Defaults_OneClockPerCoreWithTenSlots()
    {
        using var plane = new MediaPlane(new TelephonyOptions { RtpPortMin = 33990, RtpPortMax = 33999 }, new FakeTimeProvider());

        Assert.Equal(Environment.ProcessorCount, plane.Clocks.Count);
        Assert.Same(plane.Clocks[0], plane.Clock);
        Assert.Equal(plane.Clocks.Count, plane.Clocks.Distinct().Count());
        Assert.All(plane.Clocks, c => Assert.Equal(10, c.SlotCount));
    }

    [Fact]
    public void NextClock_TwoClocks_LegsAlternateBetweenThem()
    {
        using var plane = new MediaPlane(new TelephonyOptions { RtpPortMin = 33990, RtpPortMax = 33999, MediaClocks = 2, MediaClockSlots = 4 }, new FakeTimeProvider());

        var picked = Enumerable.Range(0, 4).Select(_ => plane.NextClock()).ToList();

        Assert.Equal(2, plane.Clocks.Count);
        Assert.NotSame(plane.Clocks[0], plane.Clocks[1]);
        Assert.Equal([plane.Clocks[0], plane.Clocks[1], plane.Clocks[0], plane.Clocks[1]], picked);
        Assert.All(plane.Clocks, c => Assert.Equal(4, c.SlotCount));
    }

    [Fact]
    public void Constructor_NoClocks_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MediaPlane(new TelephonyOptions { MediaClocks = 0 }, new FakeTimeProvider()));
    }
}
