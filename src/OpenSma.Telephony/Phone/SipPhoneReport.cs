using OpenSma.Media.Audio;
using OpenSma.Media.Rtp;

namespace OpenSma.Telephony.Phone;

/// <summary>What a scripted phone's call did: its events in order, what it heard, its RTP counters.</summary>
public sealed record SipPhoneReport(IReadOnlyList<SipPhoneEvent> Events, PcmAudio Heard, RtpStatistics? Media, string? Error)
{
    public bool Rang => Events.OfType<PhoneRinging>().Any();

    public bool Answered => Events.OfType<PhoneAnswered>().Any();

    /// <summary>The final failure status when the call was never answered.</summary>
    public int? FailureCode => Events.OfType<PhoneFailed>().FirstOrDefault()?.StatusCode;

    public PhoneEnded? End => Events.OfType<PhoneEnded>().FirstOrDefault();

    public string DigitsReceived => string.Concat(Events.OfType<PhoneDigitReceived>().Select(d => d.Digit));

    public string DigitsSent => string.Concat(Events.OfType<PhoneDigitSent>().Select(d => d.Digit));
}
