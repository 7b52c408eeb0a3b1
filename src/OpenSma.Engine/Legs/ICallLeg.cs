using OpenSma.Media.Audio;
using OpenSma.Media.Dtmf;
using OpenSma.Media.Playback;

namespace OpenSma.Engine.Legs;

public enum LegDirection
{
    Inbound,
    Outbound,
}

/// <summary>Where a leg is in its life.</summary>
public enum LegState
{
    /// <summary>Inbound: offered, not answered. Outbound: dialing or ringing.</summary>
    Alerting,
    Connected,
    Ended,
}

/// <summary>
/// One call leg as actions see it (architecture: the <c>ICallLeg</c> seam). Implemented by the
/// in-memory virtual leg and by the SIP/RTP leg. What the leg reports (ringing, answer, digits,
/// the end) goes to the <see cref="ILegObserver"/> given to <see cref="Attach"/>. Every leg is
/// also an <see cref="IBridgeEndpoint"/>, so any two legs can be bridged, whatever their kind.
/// </summary>
public interface ICallLeg : IBridgeEndpoint
{
    string CallId { get; }

    string From { get; }

    string To { get; }

    LegDirection Direction { get; }

    /// <summary>X- headers, User-to-User and Diversion of the leg's INVITE (spec §12), if any.</summary>
    IReadOnlyDictionary<string, string>? SipHeaders { get; }

    DateTimeOffset StartTime { get; }

    LegState State { get; }

    void Attach(ILegObserver observer);

    /// <summary>Outbound legs: start dialing. The observer hears ringing, answer or the end.</summary>
    ValueTask DialAsync(CancellationToken cancellationToken);

    /// <summary>Inbound legs: answer (200 OK). Does nothing when already connected.</summary>
    ValueTask AnswerAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Releases the leg: rejects an unanswered inbound leg with <paramref name="sipResponseCode"/>
    /// (0 means a normal clearing), cancels a ringing outbound leg, or ends a connected one. The
    /// observer is not told about an end the engine asked for.
    /// </summary>
    ValueTask HangupAsync(int sipResponseCode, CancellationToken cancellationToken);

    /// <summary>Plays audio to the far end; cancelling stops it at the next frame boundary.</summary>
    Task<PlaybackOutcome> PlayAsync(PcmAudio audio, int repeat, CancellationToken cancellationToken);

    /// <summary>Sends DTMF (RFC 4733 where negotiated, else tones); ',' pauses 500 ms.</summary>
    Task SendDigitsAsync(string digits, TimeSpan toneDuration, CancellationToken cancellationToken);

    /// <summary>Receives every 20 ms frame of audio coming from the far end until disposed.</summary>
    IDisposable TapIncoming(IAudioTap tap);

    /// <summary>Receives every 20 ms frame of audio sent to the far end (prompts and bridged audio).</summary>
    IDisposable TapOutgoing(IAudioTap tap);

    /// <summary>
    /// Relays this leg's incoming audio and signalled digits to <paramref name="other"/> and back
    /// (one <see cref="FrameBridge"/> for both directions); null ends the relay. A leg moved to a new
    /// partner leaves its old bridge first.
    /// </summary>
    void BridgeWith(ICallLeg? other);

    /// <summary>
    /// VoiceFocus (spec §7.16): while enabled, noise suppression is applied to the audio coming from
    /// the far end, before taps, recordings and the bridged leg receive it. The state stays with the leg.
    /// </summary>
    void SetVoiceFocus(bool enabled);
}

/// <summary>
/// The frame-level seam a bridge joins a leg at: 8 kHz 16-bit mono PCM in 20 ms frames, each leg on
/// its own media clock (a SIP leg on the media plane's, a virtual leg on its network's). SIP and
/// virtual legs both implement it, so <see cref="FrameBridge"/> relays between any two legs. Only
/// <see cref="FrameBridge"/> calls these members; the per-frame ones must not block or allocate.
/// </summary>
public interface IBridgeEndpoint
{
    /// <summary>False once the leg has ended, or when it has no media (a SIP leg that got no RTP port).</summary>
    bool CanBridge { get; }

    /// <summary>The bridge the leg is in. The leg keeps it; only <see cref="FrameBridge"/> sets it, under its lock.</summary>
    FrameBridge? Bridge { get; set; }

    /// <summary>Opens the leg's media path so bridged audio flows (a SIP leg starts sending; an unanswered one sends 183).</summary>
    void OpenBridgeMedia();

    /// <summary>
    /// Adds a sink for every frame the far end sends, after VoiceFocus, until disposed. A
    /// <see cref="ITimedAudioSink"/> also gets each frame's RTP timestamp where the leg has one.
    /// </summary>
    IDisposable AddBridgeSink(IAudioSink sink);

    /// <summary>
    /// Audio for the far end when no prompt plays, read once per tick on the leg's clock (null: none).
    /// A SIP leg's prompt takes over from it while it plays; a virtual leg mixes the two.
    /// </summary>
    IAudioSource? BridgeSource { get; set; }

    /// <summary>
    /// Reports digits the far end signals out of band (RFC 4733, SIP INFO, a virtual party's key
    /// presses) until disposed. In-band tones are left out: they already cross in the audio.
    /// </summary>
    IDisposable ObserveSignalledDigits(Action<char> onDigit);

    /// <summary>Passes one digit from the bridged leg on to the far end: RFC 4733 where negotiated, else a tone; a virtual far end hears the key press.</summary>
    void RelayDigit(char digit);

    /// <summary>
    /// Like <see cref="ObserveSignalledDigits"/>, with each press's length as it becomes known (a SIP
    /// leg: an RFC 4733 press at its first packet, then its progress and end; a SIP INFO press with
    /// its Duration). By default every digit is a press whose length is not known, reported as
    /// signalled out of band (<see cref="DtmfSource.SipInfo"/>).
    /// </summary>
    IDisposable ObserveSignalledPresses(IDigitPressObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var serial = 0;
        return ObserveSignalledDigits(digit => observer.OnPress(
            new DigitPress(Interlocked.Increment(ref serial), digit, DtmfSource.SipInfo, TelephoneEventSender.Volume, 0, DigitPressState.LengthUnknown, IsStart: true)));
    }

    /// <summary>
    /// A relay, for one bridge, of the bridged leg's presses (<see cref="ObserveSignalledPresses"/>)
    /// to the far end: a SIP leg sends each press with its real length (RFC 4733 following the press
    /// where negotiated, else a tone of its length). Disposing it (when it is <see cref="IDisposable"/>)
    /// ends a press still held. By default each press's digit goes to <see cref="RelayDigit"/> at its start.
    /// </summary>
    IDigitPressObserver OpenPressRelay() => new DigitAtPressStart(this);
}

/// <summary>The default press relay: the digit at the start of each press, its length left to the leg.</summary>
internal sealed class DigitAtPressStart(IBridgeEndpoint to) : IDigitPressObserver
{
    public void OnPress(in DigitPress press)
    {
        if (press.IsStart && press.Source != DtmfSource.InBand)
        {
            to.RelayDigit(press.Digit);
        }
    }
}

public interface IAudioTap
{
    void OnFrame(ReadOnlySpan<short> frame);
}

/// <summary>What a leg reports. Calls may come from any thread; the transaction marshals them.</summary>
public interface ILegObserver
{
    void OnRinging(ICallLeg leg);

    void OnAnswered(ICallLeg leg);

    void OnDigit(ICallLeg leg, char digit);

    /// <summary>The far end ended the leg, or the leg failed: 0 normal clearing, 486 busy, 480 no answer, ...</summary>
    void OnEnded(ICallLeg leg, int sipResponseCode);
}

/// <param name="SipHeaders">Custom headers for the INVITE (CallAndBridge, CreateSipMediaApplicationCall).</param>
public sealed record OutboundLegRequest(
    string From,
    string To,
    IReadOnlyDictionary<string, string>? SipHeaders,
    string? BridgeEndpointArn = null);

/// <summary>Creates outbound legs: virtual numbers now, SIP trunks and softphones later.</summary>
public interface ICallLegFactory
{
    ICallLeg CreateOutbound(OutboundLegRequest request);
}
