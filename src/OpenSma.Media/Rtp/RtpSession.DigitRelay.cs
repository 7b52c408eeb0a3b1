using OpenSma.Media.Audio;
using OpenSma.Media.Dtmf;

namespace OpenSma.Media.Rtp;

/// <summary>
/// Key presses with their real length, for bridges: one leg reports its presses as they happen
/// (<see cref="AddPressObserver"/>), the other sends them on (<see cref="RelayPress"/>) as RFC 4733
/// events that follow the press, or as tones where telephone-event was not negotiated.
/// </summary>
public sealed partial class RtpSession
{
    /// <summary>Length given to a relayed press whose source knows only its start (a virtual party's key, INFO without a duration).</summary>
    public static readonly TimeSpan RelayedDefaultLength = TimeSpan.FromMilliseconds(100);

    /// <summary>Least audio between two relayed presses (ITU-T Q.24's shortest pause), after the end packets.</summary>
    public static readonly TimeSpan RelayedGap = TimeSpan.FromMilliseconds(40);

    /// <summary>Shortest relayed tone on a leg without telephone-event: detectors may miss shorter ones.</summary>
    public static readonly TimeSpan RelayedMinimumTone = TimeSpan.FromMilliseconds(60);

    /// <summary>
    /// Reports this leg's key presses to <paramref name="observer"/> with their length as it becomes
    /// known: an RFC 4733 press at its first packet (held), then its progress and end; a SIP INFO
    /// press with its Duration; in-band presses with their start only. Dispose the result to stop.
    /// </summary>
    public IDisposable AddPressObserver(IDigitPressObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (_receiveGate)
        {
            // The receiver reports every packet's progress to the stream from now on.
            (_eventReceiver ??= new()).Presses = Digits;
        }

        return Digits.AddPressObserver(observer);
    }

    /// <summary>
    /// Sends a press heard on another leg (its first report, <see cref="DigitPress.IsStart"/>) to
    /// this leg's peer, queued behind presses still on the wire; follow a held press with the
    /// result. RFC 4733 where negotiated: the event starts at once and follows the press. Else a
    /// tone of the press's length (at least <see cref="RelayedMinimumTone"/>), played once the length
    /// is known: at once for a SIP INFO press, at the end of a held one. A press of unknown length
    /// gets <see cref="RelayedDefaultLength"/>.
    /// </summary>
    public IRelayedPress RelayPress(in DigitPress start)
    {
        var code = TelephoneEvent.FromDigit(start.Digit)
            ?? throw new ArgumentException($"'{start.Digit}' is not a DTMF digit (0-9, *, #, A-D).", nameof(start));
        var (duration, ended) = start.State switch
        {
            DigitPressState.Held => (start.Duration, false),
            DigitPressState.Ended => (start.Duration, true),
            _ => (PcmAudio.SamplesFor(RelayedDefaultLength), true),
        };

        if (Volatile.Read(ref _disposed) != 0)
        {
            return RelayedTone.Finished;
        }

        if (_options.TelephoneEventPayloadType is null)
        {
            return new RelayedTone(this, start.Digit, duration, ended);
        }

        return DigitSender.StartPress(code, start.Volume, duration, ended, RelayedGap);
    }

    /// <summary>A relayed press as a tone, for a peer without telephone-event: played when its length is known.</summary>
    private sealed class RelayedTone : IRelayedPress
    {
        public static readonly RelayedTone Finished = new();

        private readonly RtpSession? _session;
        private readonly char _digit;
        private readonly Lock _gate = new();
        private readonly ITimer? _quiet;
        private int _known;
        private bool _ended;

        public RelayedTone(RtpSession session, char digit, int duration, bool ended)
        {
            _session = session;
            _digit = digit;
            _known = duration;
            if (ended)
            {
                _ended = true;
                Play(duration);
                return;
            }

            // No news for the hold timeout: the press's end packets were lost.
            _quiet = session._time.CreateTimer(static state => ((RelayedTone)state!).EndAtKnownLength(), this, TelephoneEventSender.HoldTimeout, Timeout.InfiniteTimeSpan);
        }

        private RelayedTone()
        {
            _ended = true;
        }

        public void Update(int duration)
        {
            lock (_gate)
            {
                if (_ended)
                {
                    return;
                }

                _known = Math.Max(_known, duration);
                _quiet?.Change(TelephoneEventSender.HoldTimeout, Timeout.InfiniteTimeSpan);
            }
        }

        public void End(int duration) => Finish(duration);

        public void EndAtKnownLength() => Finish(0);

        private void Finish(int duration)
        {
            int length;
            lock (_gate)
            {
                if (_ended)
                {
                    return;
                }

                _ended = true;
                length = Math.Max(_known, duration);
            }

            _quiet?.Dispose();
            Play(length);
        }

        private void Play(int samples)
        {
            if (_session is not { } session || Volatile.Read(ref session._disposed) != 0)
            {
                return;
            }

            var length = TimeSpan.FromTicks(Math.Max(0, samples) * (TimeSpan.TicksPerMillisecond / DigitPress.SamplesPerMillisecond));
            length = TimeSpan.FromTicks(Math.Clamp(length.Ticks, RelayedMinimumTone.Ticks, DigitStream.MaxSignalledLength.Ticks));

            // Each is PCM (up to 20 s, 320 KB): a peer signalling presses faster than they play
            // would otherwise grow the player's queue without bound. As for RFC 4733 presses, at most
            // TelephoneEventSender.MaxQueuedPresses wait behind the one playing; more are dropped.
            if (session.Player.QueuedCount >= TelephoneEventSender.MaxQueuedPresses)
            {
                return;
            }

            // Queued behind anything the player has (an earlier relayed tone); nothing waits for it.
            _ = session.Player.Play(PcmAudio.Concat(ToneGenerator.Dtmf(_digit, length), PcmAudio.Silence(RelayedGap)));
        }
    }
}
