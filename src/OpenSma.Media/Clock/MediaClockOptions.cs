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

    /// <summary>Told about exceptions thrown by listeners (for logging).</summary>
    public Action<Exception>? OnListenerError { get; init; }
}
