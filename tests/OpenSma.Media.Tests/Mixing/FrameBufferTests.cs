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
    public void ReadFrame_Underrun_PadsAndReprimes()
    {
        var buffer = new FrameBuffer();
        buffer.OnFrame(Frame(1));
        buffer.OnFrame(Frame(2));
        Read(buffer);
        Read(buffer);

        var empty = Read(buffer);
        buffer.OnFrame(Frame(4));
        var stillPriming = Read(buffer);

        Assert.All(empty, s => Assert.Equal(0, s));
        Assert.All(stillPriming, s => Assert.Equal(0, s));
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
}
