using OpenSma.Media.Rtp;

namespace OpenSma.Media.Dtmf;

/// <summary>
/// Relays the presses one leg reports (<see cref="RtpSession.AddPressObserver"/>) to another
/// leg's peer (<see cref="RtpSession.RelayPress"/>), following each held press until it ends.
/// Presses come one at a time from a leg: a press starting while the previous one is still held
/// (its end packets were lost) ends the previous one at its last known length first. In-band
/// presses are not relayed: their tones already cross in the audio. Disposing (the bridge closed)
/// ends a press still held, so the peer never hears a stuck key.
/// </summary>
public sealed class DigitPressRelay : IDigitPressObserver, IDisposable
{
    private readonly RtpSession _to;
    private readonly Lock _gate = new();
    private IRelayedPress? _current;
    private int _serial;
    private bool _closed;

    public DigitPressRelay(RtpSession to)
    {
        ArgumentNullException.ThrowIfNull(to);
        _to = to;
    }

    public void OnPress(in DigitPress press)
    {
        if (press.Source == DtmfSource.InBand)
        {
            return;
        }

        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            if (press.IsStart)
            {
                _current?.EndAtKnownLength();
                var relayed = _to.RelayPress(press);
                _current = press.State == DigitPressState.Held ? relayed : null;
                _serial = press.Serial;
            }
            else if (_current is { } current && press.Serial == _serial)
            {
                if (press.State == DigitPressState.Held)
                {
                    current.Update(press.Duration);
                }
                else
                {
                    current.End(press.Duration);
                    _current = null;
                }
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _closed = true;
            _current?.EndAtKnownLength();
            _current = null;
        }
    }
}
