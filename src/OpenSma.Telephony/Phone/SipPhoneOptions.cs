using System.Net;
using OpenSma.Media.Sdp;

namespace OpenSma.Telephony.Phone;

/// <summary>How a scripted phone sends the digits of its script.</summary>
public enum PhoneDigitMethod
{
    /// <summary>RTP telephone-events (RFC 4733), or in-band tones when the peer did not negotiate them.</summary>
    Rfc4733,

    /// <summary>SIP INFO with an <c>application/dtmf-relay</c> body.</summary>
    SipInfo,
}

/// <summary>Settings of a <see cref="SipPhone"/>; the script itself (answer mode, cues) is per call.</summary>
public sealed record SipPhoneOptions
{
    /// <summary>Address RTP binds to and that the SDP advertises.</summary>
    public IPAddress MediaAddress { get; init; } = IPAddress.Loopback;

    public MediaCapabilities Capabilities { get; init; } = MediaCapabilities.Default;

    public PhoneDigitMethod DigitMethod { get; init; } = PhoneDigitMethod.Rfc4733;

    /// <summary>How long each RFC 4733 digit lasts (INFO carries it as Duration).</summary>
    public TimeSpan ToneDuration { get; init; } = TimeSpan.FromMilliseconds(120);

    /// <summary>A dialled call that is not answered within this time is cancelled.</summary>
    public TimeSpan RingTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>A connected call still up after this long is hung up by the phone.</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>At most this much of what the phone hears is kept.</summary>
    public TimeSpan MaxRecording { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Receives each event as it happens (any thread); keep it short.</summary>
    public Action<SipPhoneEvent>? OnEvent { get; init; }
}
