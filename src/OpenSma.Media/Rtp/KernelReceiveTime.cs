using System.Diagnostics;
using System.Runtime.InteropServices;

namespace OpenSma.Media.Rtp;

/// <summary>
/// The kernel's receive time of a datagram (SO_TIMESTAMPNS), as a <see cref="Stopwatch"/>
/// timestamp. The kernel stamps each datagram with CLOCK_REALTIME when it takes it off the device
/// (for loopback: inside the sender's sendto); the media code counts time with the Stopwatch
/// (CLOCK_MONOTONIC on Linux). This keeps the offset between the two, measured as the closest of
/// a few (realtime, Stopwatch, realtime) triples: the Stopwatch reading is taken as simultaneous
/// with the midpoint of the two realtime readings, so the offset is wrong by at most half their
/// gap (a few tens of nanoseconds through the vDSO; a triple that the scheduler or a GC split is
/// outvoted by the others). Between refreshes the realtime clock may be slewed by NTP (at most
/// 500 ppm: 50 us over the 100 ms refresh period, 10 us between two packets 20 ms apart; a refresh
/// then moves the offset by what accumulated). A step of the realtime clock (settimeofday, an NTP
/// step) shows until the next refresh; a converted time more than 1 ms later than the moment it is
/// converted, or more than <see cref="MaxAge"/> before it, is not believed and the processing time
/// stands in (one up to 1 ms later is the conversion's own error and becomes the processing time).
/// One instance per receive thread: not thread-safe.
/// </summary>
internal sealed unsafe class KernelReceiveTime
{
    /// <summary>Bytes of control buffer one datagram needs: CMSG_SPACE(sizeof(struct timespec)) = 32, with room to spare.</summary>
    public const int ControlBytes = 64;

    private const int HeaderBytes = 16; // cmsg_len (size_t), cmsg_level (int), cmsg_type (int)
    private const int TimeSpecBytes = 16;
    private const int Samples = 5;
    private const long NanosecondsPerSecond = 1_000_000_000;

    /// <summary>How old a kernel time may be against the processing time before it is taken for a clock step.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(100);

    private static readonly long MaxAgeTicks = (long)(MaxAge.TotalSeconds * Stopwatch.Frequency);
    private static readonly long SlackTicks = Stopwatch.Frequency / 1000;
    private static readonly long RefreshTicks = (long)(RefreshInterval.TotalSeconds * Stopwatch.Frequency);

    private long _offsetNanoseconds;
    private long _refreshedAt;
    private bool _measured;

    /// <summary>Half the gap of the realtime readings around the Stopwatch reading the offset came from: its error bound.</summary>
    public long UncertaintyNanoseconds { get; private set; }

    /// <summary>The realtime clock minus the Stopwatch, in nanoseconds, as last measured.</summary>
    public long OffsetNanoseconds => _offsetNanoseconds;

    /// <summary>
    /// Finds the SCM_TIMESTAMPNS message in a received control buffer (64-bit cmsghdr: cmsg_len
    /// size_t, cmsg_level int, cmsg_type int, data aligned to 8; native byte order) and returns its timespec as
    /// nanoseconds since the epoch. False when there is none, or the buffer is malformed.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> control, out long realtimeNanoseconds)
    {
        var offset = 0;
        while (control.Length - offset >= HeaderBytes)
        {
            var length = MemoryMarshal.Read<ulong>(control[offset..]);
            if (length < HeaderBytes || length > (ulong)(control.Length - offset))
            {
                break;
            }

            var level = MemoryMarshal.Read<int>(control[(offset + 8)..]);
            var type = MemoryMarshal.Read<int>(control[(offset + 12)..]);
            if (level == LinuxSocketCalls.SolSocket && type == LinuxSocketCalls.SoTimestampNs && length >= HeaderBytes + TimeSpecBytes)
            {
                var seconds = MemoryMarshal.Read<long>(control[(offset + HeaderBytes)..]);
                var nanoseconds = MemoryMarshal.Read<long>(control[(offset + HeaderBytes + 8)..]);
                if (seconds <= 0 || nanoseconds is < 0 or >= NanosecondsPerSecond || seconds > long.MaxValue / NanosecondsPerSecond - 1)
                {
                    break;
                }

                realtimeNanoseconds = (seconds * NanosecondsPerSecond) + nanoseconds;
                return true;
            }

            // CMSG_NXTHDR: the next header starts at the length rounded up to 8.
            offset += (int)((length + 7) & ~7UL);
        }

        realtimeNanoseconds = 0;
        return false;
    }

    /// <summary>Measures the offset again when it is older than <see cref="RefreshInterval"/> (or never measured).</summary>
    public void RefreshIfDue(long now)
    {
        if (!_measured || now - _refreshedAt >= RefreshTicks)
        {
            Refresh();
        }
    }

    /// <summary>Measures the realtime-to-Stopwatch offset now: the triple with the smallest realtime gap of a few.</summary>
    public void Refresh()
    {
        LinuxSocketCalls.TimeSpec before, after;
        var bestGap = long.MaxValue;
        long bestOffset = 0;
        long stopwatch = 0;
        for (var i = 0; i < Samples; i++)
        {
            var failed = LinuxSocketCalls.ClockGetTime(LinuxSocketCalls.ClockRealtime, &before);
            stopwatch = Stopwatch.GetTimestamp();
            failed |= LinuxSocketCalls.ClockGetTime(LinuxSocketCalls.ClockRealtime, &after);
            if (failed != 0)
            {
                continue;
            }

            var first = (before.Seconds * NanosecondsPerSecond) + before.Nanoseconds;
            var second = (after.Seconds * NanosecondsPerSecond) + after.Nanoseconds;
            var gap = second - first;
            if (gap >= 0 && gap < bestGap)
            {
                bestGap = gap;
                bestOffset = first + (gap / 2) - StopwatchToNanoseconds(stopwatch);
            }
        }

        if (bestGap == long.MaxValue)
        {
            // clock_gettime failed, or the realtime clock went backwards inside every triple (stepped meanwhile): keep the old offset.
            return;
        }

        SetOffset(bestOffset, bestGap / 2, stopwatch);
    }

    /// <summary>The Stopwatch timestamp of a kernel receive time, or <paramref name="processed"/> when the result cannot be right.</summary>
    public long ToStopwatch(long realtimeNanoseconds, long processed, out bool believed)
    {
        var arrival = NanosecondsToStopwatch(realtimeNanoseconds - _offsetNanoseconds);
        var age = processed - arrival;
        believed = _measured && age >= -SlackTicks && age <= MaxAgeTicks;

        // Within the conversion's own error of the processing time (slack): not after it.
        return believed ? Math.Min(arrival, processed) : processed;
    }

    /// <summary>Sets the offset directly (tests).</summary>
    internal void SetOffset(long offsetNanoseconds, long uncertaintyNanoseconds, long now)
    {
        _offsetNanoseconds = offsetNanoseconds;
        UncertaintyNanoseconds = uncertaintyNanoseconds;
        _refreshedAt = now;
        _measured = true;
    }

    internal static long StopwatchToNanoseconds(long timestamp) =>
        Stopwatch.Frequency == NanosecondsPerSecond ? timestamp : (long)((Int128)timestamp * NanosecondsPerSecond / Stopwatch.Frequency);

    internal static long NanosecondsToStopwatch(long nanoseconds) =>
        Stopwatch.Frequency == NanosecondsPerSecond ? nanoseconds : (long)((Int128)nanoseconds * Stopwatch.Frequency / NanosecondsPerSecond);
}
