namespace OpenSma.Sip.Transactions;

/// <summary>The base intervals of RFC 3261 §17.1.1.1 and Table 4; every timer A–M derives from them.</summary>
public sealed record SipTimerSettings
{
    /// <summary>RTT estimate.</summary>
    public TimeSpan T1 { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Maximum retransmit interval for non-INVITE requests and INVITE responses.</summary>
    public TimeSpan T2 { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Maximum time a message stays in the network.</summary>
    public TimeSpan T4 { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Timer D for unreliable transports (RFC 3261: at least 32 s).</summary>
    public TimeSpan TimerDUnreliable { get; init; } = TimeSpan.FromSeconds(32);

    /// <summary>64*T1: timers B, F, H, J, L, M.</summary>
    public TimeSpan TransactionTimeout => T1 * 64;

    /// <summary>Timer D: at least 32 s for unreliable transports, zero for reliable ones.</summary>
    public TimeSpan TimerD(bool reliable) => reliable ? TimeSpan.Zero : TimerDUnreliable;

    /// <summary>Timers I and K: T4 for unreliable transports, zero for reliable ones.</summary>
    public TimeSpan TimerIK(bool reliable) => reliable ? TimeSpan.Zero : T4;

    /// <summary>Timer J: 64*T1 for unreliable transports, zero for reliable ones.</summary>
    public TimeSpan TimerJ(bool reliable) => reliable ? TimeSpan.Zero : TransactionTimeout;

    public static SipTimerSettings Default { get; } = new();
}
