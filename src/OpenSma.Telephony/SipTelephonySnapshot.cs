using OpenSma.Telephony.Legs;

namespace OpenSma.Telephony;

/// <summary>
/// What the telephony layer holds at one moment (<see cref="SipTelephony.Snapshot"/>): read from
/// counters the legs keep, so taking one costs a few reads and never blocks a call.
/// </summary>
/// <param name="LiveLegs">SIP legs created (inbound or outbound) and not yet released.</param>
/// <param name="Bridges">Bridges relaying audio between two SIP legs.</param>
/// <param name="RtpPortPairsInUse">RTP/RTCP port pairs leased to legs.</param>
/// <param name="RtpPortPairsCapacity">Port pairs in the configured range.</param>
/// <param name="ClockStreams">Legs sending on the media clock now.</param>
/// <param name="SendTiming">How punctually the legs' RTP left against the 20 ms grid, since start.</param>
/// <param name="ReceiveQuality">Loss, jitter and round trip of the legs' received streams that have ended, since start.</param>
public sealed record SipTelephonySnapshot(
    int LiveLegs,
    int Bridges,
    int RtpPortPairsInUse,
    int RtpPortPairsCapacity,
    int ClockStreams,
    MediaSendTimingSnapshot SendTiming,
    MediaReceiveQualitySnapshot ReceiveQuality);
