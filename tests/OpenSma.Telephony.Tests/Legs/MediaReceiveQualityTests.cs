using OpenSma.Media.Rtp;
using OpenSma.Telephony.Legs;

namespace OpenSma.Telephony.Tests.Legs;

/// <summary>Received-stream quality totals: loss, lossy streams, jitter and round-trip quantiles over ended streams.</summary>
public sealed class MediaReceiveQualityTests
{
    private static RtpStatistics Stream(long received, long lost, double jitterMs, TimeSpan? roundTrip = null) =>
        new(PacketsSent: 500, OctetsSent: 80_000, PacketsReceived: received, PacketsLost: lost, JitterMilliseconds: jitterMs,
            PacketsRejected: 0, MalformedPackets: 0, RemoteFractionLost: null, RemoteJitterMilliseconds: null, RoundTripTime: roundTrip);

    [Fact]
    public void RecordEnded_TotalsLossAndCountsStreamsOverOnePercentAsLossy()
    {
        var quality = new MediaReceiveQuality();
        quality.RecordEnded(Stream(1000, 0, 0.5));
        quality.RecordEnded(Stream(990, 10, 1.2));   // exactly 1 %: not lossy
        quality.RecordEnded(Stream(980, 20, 3.0));   // 2 %
        quality.RecordEnded(Stream(1000, -3, 0.2));  // duplicates outnumber losses: none lost

        var snapshot = quality.Snapshot();
        Assert.Equal(4, snapshot.Streams);
        Assert.Equal(3970, snapshot.PacketsReceived);
        Assert.Equal(30, snapshot.PacketsLost);
        Assert.Equal(1, snapshot.LossyStreams);
    }

    [Fact]
    public void RecordEnded_JitterAndRoundTripQuantiles_AreUpperBucketEdges()
    {
        var quality = new MediaReceiveQuality();
        for (var i = 0; i < 99; i++)
        {
            quality.RecordEnded(Stream(100, 0, 0.45, TimeSpan.FromMilliseconds(40.5)));
        }

        quality.RecordEnded(Stream(100, 0, 30.0, TimeSpan.FromMilliseconds(350)));
        quality.RecordEnded(Stream(100, 0, 30.0, TimeSpan.FromMilliseconds(350)));

        var snapshot = quality.Snapshot();
        Assert.Equal(0.5, snapshot.JitterP50Ms, 6);
        Assert.Equal(30.1, snapshot.JitterP99Ms, 6);
        Assert.Equal(101, snapshot.RoundTrips);
        Assert.Equal(41, snapshot.RoundTripP50Ms, 6);
        Assert.Equal(351, snapshot.RoundTripP99Ms, 6);
    }

    [Fact]
    public void RecordEnded_StreamThatReceivedNothing_AddsOnlyItsRoundTrip()
    {
        var quality = new MediaReceiveQuality();
        quality.RecordEnded(Stream(0, 0, 0, TimeSpan.FromMilliseconds(12)));
        quality.RecordEnded(Stream(0, 0, 0));

        var snapshot = quality.Snapshot();
        Assert.Equal(0, snapshot.Streams);
        Assert.Equal(0, snapshot.PacketsReceived);
        Assert.Equal(0, snapshot.JitterP99Ms);
        Assert.Equal(1, snapshot.RoundTrips);
        Assert.Equal(13, snapshot.RoundTripP99Ms, 6);
    }

    [Fact]
    public void Snapshot_NothingEnded_IsAllZero()
    {
        Assert.Equal(new MediaReceiveQualitySnapshot(0, 0, 0, 0, 0, 0, 0, 0, 0), new MediaReceiveQuality().Snapshot());
    }
}
