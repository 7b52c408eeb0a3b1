namespace OpenSma.Telephony;

/// <summary>Settings of the telephony layer that joins SIP, media and the engine.</summary>
public sealed record TelephonyOptions
{
    /// <summary>First and last UDP port for RTP (even) and RTCP (odd).</summary>
    public int RtpPortMin { get; init; } = 20000;

    public int RtpPortMax { get; init; } = 29999;
}
