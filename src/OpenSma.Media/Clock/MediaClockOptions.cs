namespace OpenSma.Media.Clock;

/// <summary>How a <see cref="MediaClock"/> schedules its listeners.</summary>
public sealed record MediaClockOptions
{
    /// <summary>The most slots a tick can be divided into (1 ms apart).</summary>
    public const int MaxSlots = 20;

    /// <summary>
    /// Evenly spaced send slots per 20 ms tick (1 to <see cref="MaxSlots"/>). Each listener keeps
    /// the slot it was given (the least used one) for its lifetime, so a stream's packets leave at
    /// the same offset in every tick, and thousands of streams are spread over the tick instead of
    /// leaving in one burst. 1 (the default) ticks every listener at the start of the tick.
    /// </summary>
    public int Slots { get; init; } = 1;

    /// <summary>
    /// With <see cref="TimeProvider.System"/>, run the ticks on a dedicated thread that sleeps until
    /// each slot's due time (absolute monotonic deadlines on Linux) instead of on timer callbacks,
    /// which wait for a free thread-pool thread. Ignored for other time providers, whose timers
    /// keep tests deterministic. On by default.
    /// </summary>
    public bool DedicatedThread { get; init; } = true;

    /// <summary>The longest <see cref="SendLead"/>.</summary>
    public static readonly TimeSpan MaxSendLead = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How far ahead of its grid the clock ticks its listeners (0 to <see cref="MaxSendLead"/>,
    /// zero by default). On a dedicated clock thread on Linux, the packets of each due time are
    /// handed to the kernel with an absolute timeout (io_uring, <see cref="Rtp.TimedSendRing"/>) and
    /// leave when they are due, so a pause of this process shorter than the lead (a garbage
    /// collection, a scheduling delay) does not delay them. Everything the clock drives happens
    /// this much earlier: a prompt starts and stops, and bridged audio is relayed, with this much
    /// more delay on the wire. Where io_uring is not available (or with a time provider other than
    /// the system's, whose timers tick the listeners) a dedicated clock thread drops the lead; a
    /// timer-driven clock keeps the schedule moved by the lead, which tests use.
    /// </summary>
    public TimeSpan SendLead { get; init; }

    /// <summary>
    /// The initial size of a clock thread's timed-send arena, in datagrams of up to 200 bytes (320
    /// bytes each; larger ones, up to 1,500 bytes, take more). The arena grows on demand to hold
    /// what is queued at once (up to 64 MB, about 200,000 such datagrams), so this only saves the
    /// first growths: a clock keeps about streams x (lead / 20 ms + 1) datagrams queued, twice that
    /// for 10 ms streams, plus RTCP. At least 64.
    /// </summary>
    public int TimedSendSlots { get; init; } = 8192;

    /// <summary>Told about exceptions thrown by listeners (for logging).</summary>
    public Action<Exception>? OnListenerError { get; init; }
}
