using System.Diagnostics;
using System.Runtime.InteropServices;
using OpenSma.Media.Rtp;

namespace OpenSma.Media.Tests.Rtp;

/// <summary>SCM_TIMESTAMPNS control messages built by hand (64-bit cmsghdr layout) and the realtime-to-Stopwatch conversion.</summary>
public sealed class KernelReceiveTimeTests
{
    private const int SolSocket = 1;
    private const int ScmTimestampNs = 35;
    private const int ScmTimestamp = 29; // SO_TIMESTAMP: a struct timeval, not ours
    private const int IpProtocolIp = 0;
    private const int IpPacketInfo = 8;

    // struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; } then the data, each message padded to 8.
    private static int WriteMessage(Span<byte> buffer, int offset, ulong length, int level, int type, ReadOnlySpan<byte> data)
    {
        MemoryMarshal.Write(buffer[offset..], length);
        MemoryMarshal.Write(buffer[(offset + 8)..], level);
        MemoryMarshal.Write(buffer[(offset + 12)..], type);
        data.CopyTo(buffer[(offset + 16)..]);
        return offset + (int)((length + 7) & ~7UL);
    }

    private static byte[] TimeSpec(long seconds, long nanoseconds)
    {
        var data = new byte[16];
        MemoryMarshal.Write(data, seconds);
        MemoryMarshal.Write(data.AsSpan(8), nanoseconds);
        return data;
    }

    [Fact]
    public void TryRead_TimestampMessage_GivesItsTimeInNanoseconds()
    {
        var control = new byte[64];
        var end = WriteMessage(control, 0, 32, SolSocket, ScmTimestampNs, TimeSpec(1_795_000_000, 123_456_789));

        Assert.True(KernelReceiveTime.TryRead(control.AsSpan(0, end), out var nanoseconds));
        Assert.Equal(1_795_000_000_123_456_789L, nanoseconds);
    }

    [Fact]
    public void TryRead_TimestampAfterAnotherMessage_IsFoundAtTheAlignedOffset()
    {
        // IP_PKTINFO carries 12 bytes: cmsg_len 28, the next header starts at 32.
        var control = new byte[96];
        var next = WriteMessage(control, 0, 28, IpProtocolIp, IpPacketInfo, new byte[12]);
        Assert.Equal(32, next);
        var end = WriteMessage(control, next, 32, SolSocket, ScmTimestampNs, TimeSpec(1_700_000_000, 5));

        Assert.True(KernelReceiveTime.TryRead(control.AsSpan(0, end), out var nanoseconds));
        Assert.Equal(1_700_000_000_000_000_005L, nanoseconds);
    }

    [Fact]
    public void TryRead_NoOrBrokenTimestamp_IsFalse()
    {
        Assert.False(KernelReceiveTime.TryRead([], out _));

        var other = new byte[64];
        var end = WriteMessage(other, 0, 28, IpProtocolIp, IpPacketInfo, new byte[12]);
        Assert.False(KernelReceiveTime.TryRead(other.AsSpan(0, end), out _));

        // SO_TIMESTAMP (microseconds in a timeval) is a different message.
        var timeval = new byte[64];
        end = WriteMessage(timeval, 0, 32, SolSocket, ScmTimestamp, TimeSpec(1_700_000_000, 5));
        Assert.False(KernelReceiveTime.TryRead(timeval.AsSpan(0, end), out _));

        // Truncated by the kernel (MSG_CTRUNC): cmsg_len claims more than the buffer holds.
        var truncated = new byte[64];
        WriteMessage(truncated, 0, 32, SolSocket, ScmTimestampNs, TimeSpec(1_700_000_000, 5));
        Assert.False(KernelReceiveTime.TryRead(truncated.AsSpan(0, 24), out _));

        // A zero cmsg_len must not loop forever; nanoseconds out of range are not a time.
        Assert.False(KernelReceiveTime.TryRead(new byte[64], out _));
        var badNanoseconds = new byte[64];
        end = WriteMessage(badNanoseconds, 0, 32, SolSocket, ScmTimestampNs, TimeSpec(1_700_000_000, 1_000_000_000));
        Assert.False(KernelReceiveTime.TryRead(badNanoseconds.AsSpan(0, end), out _));
    }

    [Fact]
    public void ToStopwatch_WithAKnownOffset_SubtractsItAndFallsBackWhenImplausible()
    {
        var clock = new KernelReceiveTime();
        var processed = Stopwatch.GetTimestamp();
        var ms = Stopwatch.Frequency / 1000;
        var offset = 1_795_000_000L * 1_000_000_000;
        long Realtime(long stopwatch) => KernelReceiveTime.StopwatchToNanoseconds(stopwatch) + offset;

        // Not measured yet: nothing is believed.
        Assert.Equal(processed, clock.ToStopwatch(Realtime(processed - (30 * ms)), processed, out var believed));
        Assert.False(believed);

        clock.SetOffset(offset, 0, processed);
        var arrival = clock.ToStopwatch(Realtime(processed - (30 * ms)), processed, out believed);
        Assert.True(believed);
        Assert.InRange(arrival, processed - (30 * ms) - 1, processed - (30 * ms) + 1);

        // After the processing time by more than the conversion's error: a clock step, not an arrival.
        Assert.Equal(processed, clock.ToStopwatch(Realtime(processed + (10 * ms)), processed, out believed));
        Assert.False(believed);

        // Older than MaxAge: likewise.
        var old = processed - (long)((KernelReceiveTime.MaxAge.TotalSeconds + 1) * Stopwatch.Frequency);
        Assert.Equal(processed, clock.ToStopwatch(Realtime(old), processed, out believed));
        Assert.False(believed);
    }

    [Fact]
    public void Refresh_RealClocks_NowConvertsToNow()
    {
        if (!MediaSocketEngine.IsSupported)
        {
            Assert.False(OperatingSystem.IsLinux() && Environment.Is64BitProcess, "the engine runs on 64-bit Linux");
            return;
        }

        var clock = new KernelReceiveTime();
        clock.Refresh();
        Assert.InRange(clock.UncertaintyNanoseconds, 0, 1_000_000_000);

        // DateTime.UtcNow reads the same realtime clock (in 100 ns units).
        var before = Stopwatch.GetTimestamp();
        var realtime = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        var after = Stopwatch.GetTimestamp();
        var converted = clock.ToStopwatch(realtime, after + Stopwatch.Frequency, out var believed);

        Assert.True(believed);
        var slack = Stopwatch.Frequency / 100; // 10 ms: the conversion is off by microseconds, a wrong unit by far more
        Assert.InRange(converted, before - slack, after + slack);
    }
}
