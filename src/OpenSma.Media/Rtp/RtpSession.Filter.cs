using OpenSma.Media.Filters;

namespace OpenSma.Media.Rtp;

public sealed partial class RtpSession
{
    private IAudioFilter? _inboundFilter;

    /// <summary>
    /// VoiceFocus (noise suppression) on the audio received from the peer: while on, inbound sinks
    /// (recorders, taps, a bridge or conference) get the audio through a <see cref="NoiseSuppressor"/>.
    /// In-band DTMF detection always sees the audio as received. Turning it on again keeps the
    /// running filter; turning it off drops it.
    /// </summary>
    public bool VoiceFocus
    {
        get => Volatile.Read(ref _inboundFilter) is NoiseSuppressor;
        set
        {
            lock (_receiveGate)
            {
                if (value != _inboundFilter is NoiseSuppressor)
                {
                    _inboundFilter = value ? new NoiseSuppressor() : null;
                }
            }
        }
    }

    /// <summary>The filter applied to received audio after decoding, before the inbound sinks; null for none.</summary>
    public IAudioFilter? InboundFilter
    {
        get => Volatile.Read(ref _inboundFilter);
        set
        {
            lock (_receiveGate)
            {
                _inboundFilter = value;
            }
        }
    }
}
