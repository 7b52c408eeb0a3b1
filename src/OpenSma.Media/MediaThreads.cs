using System.Runtime.InteropServices;

namespace OpenSma.Media;

/// <summary>
/// Real-time scheduling for the threads that carry audio: the media clock threads (which send
/// every leg's RTP on a 20 ms grid) and the socket engine's receive threads. On a busy machine the
/// normal scheduler can leave a runnable clock thread waiting for tens of milliseconds behind
/// builds, handler processes or a GC, and each wait is jitter every caller hears. With
/// <see cref="TryEnable"/> those threads run under SCHED_FIFO: they take a core as soon as they wake
/// and give it back when they sleep. They sleep most of each tick (about 45 % of one core per 1,000
/// two-way streams), and the kernel's real-time throttling (kernel.sched_rt_runtime_us, 95 % by
/// default) keeps a core for everything else even when they are overloaded.
/// Linux only; it needs CAP_SYS_NICE or an RLIMIT_RTPRIO at least the priority asked for.
/// </summary>
public static partial class MediaThreads
{
    private const int SchedOther = 0;
    private const int SchedFifo = 1;
    private const int MaxPriority = 99;
    private static volatile int _priority;
    private static int _realTimeThreads;

    /// <summary>
    /// The SCHED_FIFO priority of the receive threads; clock threads run one above it so a send
    /// tick is never held behind a receive batch. 0 when real-time scheduling is off (the default).
    /// </summary>
    public static int RealTimePriority => _priority;

    /// <summary>Media threads now running under SCHED_FIFO.</summary>
    public static int RealTimeThreads => Volatile.Read(ref _realTimeThreads);

    /// <summary>
    /// Turns real-time scheduling on for media threads started from now on (clocks and receive
    /// threads already running keep their scheduling). It first checks, on the calling thread, that
    /// the process may use the priority; when it may not, nothing changes and
    /// <paramref name="error"/> says why.
    /// </summary>
    /// <param name="priority">1 to 98; clock threads get one above it.</param>
    public static bool TryEnable(int priority, out string? error)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(priority, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(priority, MaxPriority - 1);
        if (!OperatingSystem.IsLinux())
        {
            error = "real-time media scheduling is available on Linux only";
            return false;
        }

        // Probe on this thread with the higher (clock) priority, then put it back.
        var probe = priority + 1;
        if (SchedSetScheduler(0, SchedFifo, ref probe) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            error = $"SCHED_FIFO priority {priority + 1} refused (errno {errno}): the process needs CAP_SYS_NICE or an RLIMIT_RTPRIO of at least {priority + 1}";
            return false;
        }

        var normal = 0;
        _ = SchedSetScheduler(0, SchedOther, ref normal);
        _priority = priority;
        error = null;
        return true;
    }

    /// <summary>Back to normal scheduling for media threads started from now on.</summary>
    public static void Disable() => _priority = 0;

    /// <summary>Called by a media thread as it starts: asks for SCHED_FIFO when it is on.</summary>
    internal static void ApplyToCurrentThread(bool clock)
    {
        var priority = _priority;
        if (priority == 0 || !OperatingSystem.IsLinux())
        {
            return;
        }

        var value = clock ? priority + 1 : priority;
        if (SchedSetScheduler(0, SchedFifo, ref value) == 0)
        {
            Interlocked.Increment(ref _realTimeThreads);
        }
    }

    /// <summary>Called by a media thread as it ends.</summary>
    internal static void LeaveCurrentThread()
    {
        if (OperatingSystem.IsLinux() && SchedGetScheduler(0) == SchedFifo)
        {
            var normal = 0;
            _ = SchedSetScheduler(0, SchedOther, ref normal);
            Interlocked.Decrement(ref _realTimeThreads);
        }
    }

    /// <summary>The calling thread's policy (0 SCHED_OTHER, 1 SCHED_FIFO) and real-time priority.</summary>
    internal static (int Policy, int Priority) CurrentThreadScheduling()
    {
        var priority = 0;
        _ = SchedGetParam(0, ref priority);
        return (SchedGetScheduler(0), priority);
    }

    // pid 0 is the calling thread: Linux schedules threads, not processes.
    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SchedSetScheduler(int pid, int policy, ref int priority);

    [LibraryImport("libc", EntryPoint = "sched_getscheduler")]
    private static partial int SchedGetScheduler(int pid);

    [LibraryImport("libc", EntryPoint = "sched_getparam")]
    private static partial int SchedGetParam(int pid, ref int priority);
}
