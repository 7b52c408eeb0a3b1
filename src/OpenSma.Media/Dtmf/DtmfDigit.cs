namespace OpenSma.Media.Dtmf;

public enum DtmfSource
{
    /// <summary>RFC 4733 telephone-event packets.</summary>
    Rfc4733,

    /// <summary>SIP INFO (application/dtmf-relay or application/dtmf), forwarded by the SIP layer.</summary>
    SipInfo,

    /// <summary>Tones in the audio, found by the Goertzel detector.</summary>
    InBand,
}

/// <summary>One key press, reported once however many packets or blocks carried it.</summary>
public sealed record DtmfDigit(char Digit, DtmfSource Source, DateTimeOffset ReceivedAt);
