using OpenSma.Media.Mixing;

namespace OpenSma.Media.Tests.Mixing;

public sealed class FrameBufferTests
{
    private static short[] Frame(short value) => Enumerable.Repeat(value, 160).ToArray();

    private static short[] Read(FrameBuffer buffer)
    {
        var frame = new short[160];
        buffer.ReadFrame(frame);
        return frame;
    }

    [Fact]
    public void ReadFrame_WaitsForTwoFramesThenPlaysInOrder()
    {
        var buffer = new FrameBuffer();
        buffer.OnFrame(Frame(1));

        Assert.All(Read(buffer), s => Assert.Equal(0, s));
        buffer.OnFrame(Frame(2));
        Assert.All(Read(buffer), s => Assert.Equal(1, s));
        buffer.OnFrame(Frame(3));
        Assert.All(Read(buffer), s => Assert.Equal(2, s));
        Assert.All(Read(buffer), s => Assert.Equal(3, s));
    }

    [Fact]
    public void ReadFrame_Underrun_FadesTheLastFrameOut_AndReprimes()
    {
        var buffer = new FrameBuffer();
        buffer.OnFrame(Frame(3000));
        buffer.OnFrame(Frame(3000));
        Read(buffer);
        Read(buffer);

        var empty = Read(buffer);
        buffer.OnFrame(Frame(4));
        var stillPriming = Read(buffer);

        // The signal's last period repeated: full level for 10 ms, then 20% less per 10 ms.
        Assert.Equal(3000, empty[0]);
        Assert.Equal(2400, stillPriming[0]);
        Assert.True(empty[159] < empty[0] && stillPriming[159] < stillPriming[0]);
        Assert.Equal(1, buffer.UnderrunFrames);
        Assert.Equal(160, buffer.BufferedSamples);
    }

    [Fact]
    public void OnFrame_Overflow_DropsOldest()
    {
        var buffer = new FrameBuffer();
        for (short i = 1; i <= FrameBuffer.MaxFrames + 2; i++)
        {
            buffer.OnFrame(Frame(i));
        }

        Assert.Equal(320, buffer.DroppedSamples);
        Assert.All(Read(buffer), s => Assert.Equal(3, s));
    }

    [Fact]
    public void OnFrame_OddSizedPackets_AreReframed()
    {
        var buffer = new FrameBuffer();
        buffer.OnFrame(Enumerable.Range(0, 240).Select(i => (short)i).ToArray()); // 30 ms packets
        buffer.OnFrame(Enumerable.Range(240, 240).Select(i => (short)i).ToArray());

        Assert.Equal(Enumerable.Range(0, 160).Select(i => (short)i), Read(buffer));
        Assert.Equal(Enumerable.Range(160, 160).Select(i => (short)i), Read(buffer));
    }

    [Fact]
    public void OnFrame_WithTimestamps_OutOfOrderPacketsPlayInOrder()
    {
        var buffer = new FrameBuffer();
        buffer.OnFrame(Frame(1), 1000);
        buffer.OnFrame(Frame(3), 1320);
        buffer.OnFrame(Frame(2), 1160);
        buffer.OnFrame(Frame(5), 1640);
        buffer.OnFrame(Frame(4), 1480);

        for (short expected = 1; expected <= 5; expected++)
        {
            Assert.All(Read(buffer), s => Assert.Equal(expected, s));
        }

        Assert.Equal(0, buffer.ConcealedFrames);
    }

    [Fact]
    public void ReadFrame_LostPacket_IsConcealedAndMergedBackIntoTheAudio_ThenPlaybackGoesOn()
    {
        var buffer = new FrameBuffer();
        buffer.OnFrame(Frame(3000), 0);
        buffer.OnFrame(Frame(3000), 160);
        buffer.OnFrame(Frame(7), 480);
        buffer.OnFrame(Frame(8), 640);

        Read(buffer);
        Read(buffer);
        var concealed = Read(buffer);

        Assert.Equal(3000, concealed[0]);
        Assert.InRange(concealed[159], 2400, 2415); // 20 ms into the loss: 1 - (159 - 80) / 400 of the level
        var merged = Read(buffer);
        Assert.InRange(merged[0], 8, 2999);         // overlap-add from the substitute into the real audio
        Assert.All(merged[80..], s => Assert.Equal(7, s));
        Assert.All(Read(buffer), s => Assert.Equal(8, s));
        Assert.Equal(1, buffer.ConcealedFrames);
        Assert.Equal(0, buffer.UnderrunFrames);
    }

    [Fact]
    public void ReadFrame_LongLoss_FadesToSilenceAfterThreeFrames()
    {
        var buffer = new FrameBuffer();
        buffer.OnFrame(Frame(3000), 0);
        buffer.OnFrame(Frame(3000), 160);
        buffer.OnFrame(Frame(9), 160 * 7);
        Read(buffer);
        Read(buffer);

        var lost = Enumerable.Range(0, 5).Select(_ => Read(buffer)).ToList();

        Assert.Equal([3000, 2400, 1200], lost.Take(3).Select(f => (int)f[0]));
        Assert.All(lost[3], s => Assert.Equal(0, s));
        Assert.All(lost[4], s => Assert.Equal(0, s));
        var back = Read(buffer);
        Assert.All(back, s => Assert.InRange(s, 0, 9)); // faded in from silence
        Assert.All(back[80..], s => Assert.Equal(9, s));
        Assert.Equal(5, buffer.ConcealedFrames);
    }

    [Fact]
    public void OnFrame_PacketAfterItsPlayoutTime_IsDroppedAsLate()
    {
        var buffer = new FrameBuffer();
        buffer.OnFrame(Frame(1), 0);
        buffer.OnFrame(Frame(2), 160);
        buffer.OnFrame(Frame(3), 320);
        Read(buffer);

        buffer.OnFrame(Frame(99), 0);

        Assert.Equal(160, buffer.LateSamples);
        Assert.All(Read(buffer), s => Assert.Equal(2, s));
        Assert.All(Read(buffer), s => Assert.Equal(3, s));
    }

    [Fact]
    public void ReadFrame_AfterAnUnderrun_DelayedPacketsStillPlay()
    {
        var buffer = new FrameBuffer();
        buffer.OnFrame(Frame(1), 0);
        buffer.OnFrame(Frame(2), 160);
        Read(buffer);
        Read(buffer);
        Read(buffer);

        // Packets 3 and 4 were delayed, not lost: the playout point waited for them.
        buffer.OnFrame(Frame(3), 320);
        buffer.OnFrame(Frame(4), 480);

        var third = Read(buffer);
        Assert.All(third, s => Assert.InRange(s, 2, 3)); // merged from the concealed 2s
        Assert.All(third[80..], s => Assert.Equal(3, s));
        Assert.All(Read(buffer), s => Assert.Equal(4, s));
        Assert.Equal(0, buffer.LateSamples);
    }

    [Fact]
    public void OnFrame_TimestampJump_StartsANewTimeline()
    {
        var buffer = new FrameBuffer();
        buffer.OnFrame(Frame(1), 0);
        buffer.OnFrame(Frame(2), 160);
        Read(buffer);

        buffer.OnFrame(Frame(5), 4_000_000_000);
        buffer.OnFrame(Frame(6), 4_000_000_160);

        Assert.All(Read(buffer), s => Assert.Equal(5, s));
        Assert.All(Read(buffer), s => Assert.Equal(6, s));
    }

    [Fact]
    public void OnFrame_TimestampWrap_KeepsOrder()
    {
        var buffer = new FrameBuffer();
        buffer.OnFrame(Frame(1), uint.MaxValue - 159);
        buffer.OnFrame(Frame(3), 160);
        buffer.OnFrame(Frame(2), 0);

        for (short expected = 1; expected <= 3; expected++)
        {
            Assert.All(Read(buffer), s => Assert.Equal(expected, s));
        }
    }

    [Fact]
    public void OnFrame_GapLongerThanTheBuffer_IsCollapsed_SoLatencyDoesNotGrow()
    {
        var buffer = new FrameBuffer();
        buffer.OnFrame(Frame(1), 0);
        buffer.OnFrame(Frame(2), 160);
        Assert.All(Read(buffer), s => Assert.Equal(1, s));

        // 600 ms without audio (a telephone-event or silence suppression), then speech again.
        buffer.OnFrame(Frame(3), 160 + 4960);
        buffer.OnFrame(Frame(4), 160 + 5120);

        Assert.Equal(480, buffer.BufferedSamples);
        Assert.All(Read(buffer), s => Assert.Equal(2, s));
        Assert.All(Read(buffer), s => Assert.Equal(3, s));
        Assert.All(Read(buffer), s => Assert.Equal(4, s));
        Assert.Equal(0, buffer.DroppedSamples);
        Assert.Equal(0, buffer.ConcealedFrames);
    }

    [Fact]
    public void OnFrame_GapWithinTheBuffer_IsConcealedInTime()
    {
        var buffer = new FrameBuffer();
        buffer.OnFrame(Frame(1000), 0);
        buffer.OnFrame(Frame(1000), 160);
        buffer.OnFrame(Frame(5), 800);

        var played = Enumerable.Range(0, 6).Select(_ => Read(buffer)).ToList();

        // Frames at 320, 480 and 640 are missing: the waveform continued and faded, then the audio at 800.
        Assert.Equal([1000, 1000, 1000, 800, 400], played.Take(5).Select(f => (int)f[0]));
        Assert.All(played[5][80..], s => Assert.Equal(5, s));
        Assert.Equal(3, buffer.ConcealedFrames);
    }
}
