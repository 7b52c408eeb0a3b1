namespace OpenSma.Media.Dtmf;

/// <summary>What a <see cref="DigitPress"/> report says about the press's length.</summary>
public enum DigitPressState
{
    /// <summary>The key is still down (RFC 4733 without its end yet): updates follow, then an <see cref="Ended"/> report.</summary>
    Held,

    /// <summary><see cref="DigitPress.Duration"/> is the press's final length (RFC 4733 end, SIP INFO's Duration).</summary>
    Ended,

    /// <summary>Only the start is known (in-band tones, INFO without a duration given to the stream): no report follows.</summary>
    LengthUnknown,
}

/// <summary>
/// One report about a key press as it happens: its start (<see cref="IsStart"/>), then for a held
/// RFC 4733 press its growing length and its end. <see cref="Serial"/> is the same for every report
/// of one press; <see cref="Duration"/> is in 8 kHz samples (RFC 4733 units), the whole press
/// across RFC 4733 segments.
/// </summary>
public readonly record struct DigitPress(int Serial, char Digit, DtmfSource Source, byte Volume, int Duration, DigitPressState State, bool IsStart)
{
    public const int SamplesPerMillisecond = 8;

    public TimeSpan Length => TimeSpan.FromTicks(Duration * (TimeSpan.TicksPerMillisecond / SamplesPerMillisecond));
}

/// <summary>
/// Hears a leg's key presses with their length (a bridge relaying them to the other leg). Called
/// in order, possibly on the receive thread with the leg's receive lock held: must not block.
/// </summary>
public interface IDigitPressObserver
{
    void OnPress(in DigitPress press);
}

/// <summary>
/// A key press being relayed to a leg (<see cref="Rtp.RtpSession.RelayPress"/>), followed until it
/// ends. Safe from any thread; calls after the end are ignored.
/// </summary>
public interface IRelayedPress
{
    /// <summary>The press is still held; <paramref name="duration"/> samples heard so far.</summary>
    void Update(int duration);

    /// <summary>The press ended after <paramref name="duration"/> samples.</summary>
    void End(int duration);

    /// <summary>Ends the press at the last length heard (the source stopped reporting: unbridged, or a new press began).</summary>
    void EndAtKnownLength();
}
