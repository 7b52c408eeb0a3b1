using Microsoft.Extensions.Time.Testing;
using OpenSma.Media.Codecs;
using OpenSma.Media.Filters;
using OpenSma.Media.Mixing;
using OpenSma.Media.Rtp;
using OpenSma.Media.Tests.TestSupport;

namespace OpenSma.Media.Tests.Rtp;

/// <summary>
/// What a live leg keeps is copied by the collector from gen0 to gen2 with the call, so the
/// per-leg objects stay small: no packet buffers in the session (they are per thread), no parts
/// a leg may never need. Bounds are bytes allocated on this thread, with room for runtime
/// changes; the figures before these were cut are in the messages.
/// </summary>
public sealed class LegFootprintTests
{
    private static long Allocated(Func<object> create)
    {
        GC.KeepAlive(create()); // first use: static tables, JIT
        var before = GC.GetAllocatedBytesForCurrentThread();
        var created = create();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(created);
        return allocated;
    }

    [Fact]
    public void NewRtpSession_CarriesNoPacketBuffers()
    {
        var time = new FakeTimeProvider();
        var options = new RtpSessionOptions(AudioCodec.Pcmu, 0, 101);

        var allocated = Allocated(() => new RtpSession(new MemoryTransport(), options, time));

        // 7,632 bytes when each session had its own send, RTCP, frame and 3 KB receive buffers and a digit channel.
        Assert.True(allocated < 1600, $"a new session allocated {allocated} bytes");
    }

    [Fact]
    public void NewFrameBuffer_IsUnderFourKilobytes()
    {
        var allocated = Allocated(() => new FrameBuffer());

        // 7,156 bytes with a bool per ring sample and float concealment buffers (a bridge has two).
        Assert.True(allocated < 4096, $"a new jitter buffer allocated {allocated} bytes");
    }

    [Fact]
    public void NewNoiseSuppressor_KeepsOnlyItsState()
    {
        var allocated = Allocated(() => new NoiseSuppressor());

        // 9,856 bytes when each suppressor had its own transform, twiddle tables and hop buffers.
        Assert.True(allocated < 5000, $"a new noise suppressor allocated {allocated} bytes");
    }
}
