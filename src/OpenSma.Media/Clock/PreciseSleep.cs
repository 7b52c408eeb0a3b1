using System.Diagnostics;
using System.Runtime.InteropServices;

namespace OpenSma.Media.Clock;

/// <summary>
/// Sleeps until an absolute <see cref="Stopwatch"/> timestamp. On Linux that clock is
/// CLOCK_MONOTONIC in nanoseconds, and clock_nanosleep with an absolute deadline wakes within tens
/// of microseconds; elsewhere the wait is rounded up to whole milliseconds (never early).
/// </summary>
internal static partial class PreciseSleep
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsolute = 1;
    private const int Interrupted = 4;

    public static readonly bool IsPrecise = OperatingSystem.IsLinux() && Stopwatch.Frequency == 1_000_000_000;

    /// <param name="deadline">A Stopwatch timestamp.</param>
    /// <param name="stop">Ends the sleep early where the sleep can be interrupted (the millisecond fallback).</param>
    public static void Until(long deadline, ManualResetEventSlim stop)
    {
        if (IsPrecise)
        {
            var spec = new TimeSpec { Seconds = deadline / 1_000_000_000, Nanoseconds = deadline % 1_000_000_000 };
            while (ClockNanosleep(ClockMonotonic, TimerAbsolute, ref spec, IntPtr.Zero) == Interrupted)
            {
                // A signal woke us early (the runtime uses them, for GC suspension); sleep again.
            }

            return;
        }

        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
        if (remaining > TimeSpan.Zero)
        {
            stop.Wait((int)Math.Ceiling(remaining.TotalMilliseconds));
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanosleep(int clock, int flags, ref TimeSpec request, IntPtr remaining);
}
