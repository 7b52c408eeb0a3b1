using System.Buffers;
using OpenSma.Engine.Legs;
using OpenSma.Media.Audio;
using OpenSma.Media.Clock;
using OpenSma.Media.Filters;
using OpenSma.Media.Playback;

namespace OpenSma.Engine.Virtual;

/// <summary>
/// An in-memory call leg on the media clock: what the engine plays takes its real duration, the
/// scripted far end presses digits, speaks audio and hangs up at given times, and everything the
/// far end heard is kept so it can be saved as a WAV. Runs on virtual or real time alike.
/// </summary>
public sealed class VirtualLeg : ICallLeg, IMediaClockListener, IDisposable
{
    private const int Frame = PcmAudio.SamplesPerFrame;
    private static readonly TimeSpan DigitGap = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly MediaClock _clock;
    private readonly VirtualParty _party;
    private readonly AudioPlayer _player = new();
    private readonly List<IAudioTap> _incomingTaps = [];
    private readonly List<IAudioTap> _outgoingTaps = [];
    private readonly ArrayBufferWriter<short> _heard = new();
    private readonly List<char> _digitsHeard = [];
    private readonly short[] _outFrame = new short[Frame];
    private readonly short[] _inFrame = new short[Frame];
    private readonly short[] _partnerFrame = new short[Frame];
    private readonly VirtualCue[] _cues;
    private ILegObserver? _observer;
    private IDisposable? _subscription;
    private IAudioSink[] _bridgeSinks = [];
    private Action<char>[] _digitRelays = [];
    private volatile IAudioSource? _bridgeSource;
    private FrameBridge? _bridge;
    private LegState _state = LegState.Alerting;
    private long _tick;
    private int _nextCue;
    private ITimer? _dialTimer;
    private NoiseSuppressor? _voiceFocus;
    private readonly bool _keepHeard;

    public VirtualLeg(
        TimeProvider time,
        MediaClock clock,
        LegDirection direction,
        string from,
        string to,
        VirtualParty party,
        IReadOnlyDictionary<string, string>? sipHeaders = null,
        bool keepHeard = true)
    {
        _keepHeard = keepHeard;
        _time = time;
        _clock = clock;
        _party = party;
        Direction = direction;
        From = from;
        To = to;
        SipHeaders = sipHeaders;
        CallId = Guid.NewGuid().ToString();
        _cues = [.. party.Cues.OrderBy(c => c.At)];
        if (direction == LegDirection.Inbound)
        {
            // An offered inbound call already has a media path: the caller hears ringback and
            // early media before the answer, as with 183 Session Progress.
            _subscription = clock.Subscribe(this);
        }
        StartTime = time.GetUtcNow();
    }

    public string CallId { get; }

    public string From { get; }

    public string To { get; }

    public LegDirection Direction { get; }

    public IReadOnlyDictionary<string, string>? SipHeaders { get; }

    public DateTimeOffset StartTime { get; }

    public LegState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>When the leg connected, if it did.</summary>
    public DateTimeOffset? ConnectedAt { get; private set; }

    /// <summary>The SIP code the engine released the leg with, when it did.</summary>
    public int? ReleasedWith { get; private set; }

    /// <summary>
    /// Everything the far end heard, 8 kHz mono: from the offer for inbound legs (early media), from
    /// the answer for outbound ones. Empty when the leg was created without keeping it.
    /// </summary>
    public PcmAudio Heard()
    {
        lock (_gate)
        {
            return new PcmAudio(_heard.WrittenSpan.ToArray());
        }
    }

    /// <summary>Digits the far end heard: sent by the engine (SendDigits) or relayed from the bridged leg.</summary>
    public string DigitsHeard()
    {
        lock (_gate)
        {
            return new string([.. _digitsHeard]);
        }
    }

    public void Attach(ILegObserver observer) => _observer = observer;

    public ValueTask DialAsync(CancellationToken cancellationToken)
    {
        // Ringing at once, then the scripted answer after RingFor.
        _observer?.OnRinging(this);
        if (_party.Answer != VirtualAnswer.NoAnswer)
        {
            _dialTimer = _time.CreateTimer(_ => OnDialTimer(), null, _party.RingFor, Timeout.InfiniteTimeSpan);
        }

        return ValueTask.CompletedTask;
    }

    private void OnDialTimer()
    {
        switch (_party.Answer)
        {
            case VirtualAnswer.Answer:
                if (Connect())
                {
                    _observer?.OnAnswered(this);
                }

                break;
            case VirtualAnswer.Busy:
                EndFromFarEnd(486);
                break;
            case VirtualAnswer.Reject:
                EndFromFarEnd(_party.RejectCode);
                break;
        }
    }

    public ValueTask AnswerAsync(CancellationToken cancellationToken)
    {
        Connect();
        return ValueTask.CompletedTask;
    }

    public ValueTask HangupAsync(int sipResponseCode, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_state == LegState.Ended)
            {
                return ValueTask.CompletedTask;
            }

            _state = LegState.Ended;
            ReleasedWith = sipResponseCode;
        }

        Shutdown();
        return ValueTask.CompletedTask;
    }

    public async Task<PlaybackOutcome> PlayAsync(PcmAudio audio, int repeat, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Task<PlaybackOutcome> playing;
        lock (_gate)
        {
            if (_state == LegState.Ended)
            {
                return PlaybackOutcome.Stopped;
            }

            playing = _player.Play(audio, repeat);
        }

        // Cancelling stops the player at the next frame boundary.
        using (cancellationToken.Register(static p => ((AudioPlayer)p!).Stop(), _player))
        {
            var outcome = await playing;
            cancellationToken.ThrowIfCancellationRequested();
            return outcome;
        }
    }

    public async Task SendDigitsAsync(string digits, TimeSpan toneDuration, CancellationToken cancellationToken)
    {
        foreach (var digit in digits)
        {
            if (digit == ',')
            {
                await PlayAsync(PcmAudio.Silence(TimeSpan.FromMilliseconds(500)), 1, cancellationToken);
                continue;
            }

            lock (_gate)
            {
                _digitsHeard.Add(digit);
            }

            await PlayAsync(PcmAudio.Concat(ToneGenerator.Dtmf(digit, toneDuration), PcmAudio.Silence(DigitGap)), 1, cancellationToken);
        }
    }

    public IDisposable TapIncoming(IAudioTap tap) => AddTap(_incomingTaps, tap);

    public IDisposable TapOutgoing(IAudioTap tap) => AddTap(_outgoingTaps, tap);

    public void BridgeWith(ICallLeg? other)
    {
        if (other is null)
        {
            FrameBridge.Leave(this);
        }
        else
        {
            FrameBridge.Join(this, other);
        }
    }

    bool IBridgeEndpoint.CanBridge => State != LegState.Ended;

    FrameBridge? IBridgeEndpoint.Bridge
    {
        get => Volatile.Read(ref _bridge);
        set => Volatile.Write(ref _bridge, value);
    }

    /// <summary>The bridge this leg is in, if any.</summary>
    public FrameBridge? Bridge => Volatile.Read(ref _bridge);

    IAudioSource? IBridgeEndpoint.BridgeSource
    {
        get => _bridgeSource;
        set => _bridgeSource = value;
    }

    // The leg is on the clock from the offer (inbound) or the answer (outbound): nothing to open.
    void IBridgeEndpoint.OpenBridgeMedia()
    {
    }

    IDisposable IBridgeEndpoint.AddBridgeSink(IAudioSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        lock (_gate)
        {
            _bridgeSinks = [.. _bridgeSinks, sink];
        }

        return new Removal(() =>
        {
            lock (_gate)
            {
                _bridgeSinks = [.. _bridgeSinks.Where(s => !ReferenceEquals(s, sink))];
            }
        });
    }

    IDisposable IBridgeEndpoint.ObserveSignalledDigits(Action<char> onDigit)
    {
        ArgumentNullException.ThrowIfNull(onDigit);
        lock (_gate)
        {
            _digitRelays = [.. _digitRelays, onDigit];
        }

        return new Removal(() =>
        {
            lock (_gate)
            {
                _digitRelays = [.. _digitRelays.Where(d => !ReferenceEquals(d, onDigit))];
            }
        });
    }

    /// <summary>A digit from the bridged leg reaches the virtual phone as a key press it heard.</summary>
    void IBridgeEndpoint.RelayDigit(char digit)
    {
        lock (_gate)
        {
            if (_state != LegState.Ended)
            {
                _digitsHeard.Add(digit);
            }
        }
    }

    /// <summary>Sinks, digit observers and bridge feeds currently attached (tests check nothing leaks).</summary>
    public int BridgeAttachments
    {
        get
        {
            lock (_gate)
            {
                return _bridgeSinks.Length + _digitRelays.Length + (_bridgeSource is null ? 0 : 1);
            }
        }
    }

    /// <summary>Whether VoiceFocus is enabled on this leg.</summary>
    public bool VoiceFocusEnabled
    {
        get
        {
            lock (_gate)
            {
                return _voiceFocus is not null;
            }
        }
    }

    /// <summary>While enabled, what the far end says passes a noise suppressor before taps and the bridged leg hear it.</summary>
    public void SetVoiceFocus(bool enabled)
    {
        lock (_gate)
        {
            if (enabled != _voiceFocus is not null)
            {
                _voiceFocus = enabled ? new NoiseSuppressor() : null;
            }
        }
    }

    /// <summary>One 20 ms frame: send what plays (and the bridged party's voice), take in what the far end says.</summary>
    public void OnTick(long tick)
    {
        List<(char? Digit, bool Hangup)>? due = null;
        lock (_gate)
        {
            if (_state == LegState.Ended)
            {
                return;
            }

            var connected = _state == LegState.Connected;
            if (connected)
            {
                _tick++;
            }

            var elapsed = TimeSpan.FromTicks(_tick * MediaClock.FrameInterval.Ticks);

            // Outgoing: playback mixed with the bridged party's audio.
            _player.ReadFrame(_outFrame);
            if (_bridgeSource is { } partner)
            {
                partner.ReadFrame(_partnerFrame);
                for (var i = 0; i < Frame; i++)
                {
                    _outFrame[i] = (short)Math.Clamp(_outFrame[i] + _partnerFrame[i], short.MinValue, short.MaxValue);
                }
            }

            if (_keepHeard)
            {
                _heard.Write(_outFrame);
            }

            foreach (var tap in _outgoingTaps)
            {
                tap.OnFrame(_outFrame);
            }

            if (!connected)
            {
                return;
            }

            // Incoming: what the far end says in this frame (it speaks once connected).
            Array.Clear(_inFrame);
            var frameStart = (_tick - 1) * Frame;
            foreach (var cue in _cues)
            {
                if (cue is SayCue say)
                {
                    MixSay(say, frameStart);
                }
            }

            _voiceFocus?.Process(_inFrame);

            foreach (var tap in _incomingTaps)
            {
                tap.OnFrame(_inFrame);
            }

            foreach (var sink in _bridgeSinks)
            {
                sink.OnFrame(_inFrame);
            }

            while (_nextCue < _cues.Length && _cues[_nextCue].At <= elapsed)
            {
                switch (_cues[_nextCue])
                {
                    case DigitCue d:
                        (due ??= []).Add((d.Digit, false));
                        break;
                    case HangupCue:
                        (due ??= []).Add((null, true));
                        break;
                }

                _nextCue++;
            }
        }

        if (due is null)
        {
            return;
        }

        foreach (var (digit, hangup) in due)
        {
            if (hangup)
            {
                EndFromFarEnd(0);
                return;
            }

            var pressed = digit!.Value;
            _observer?.OnDigit(this, pressed);
            foreach (var relay in Volatile.Read(ref _digitRelays))
            {
                relay(pressed);
            }
        }
    }

    private void MixSay(SayCue say, long frameStart)
    {
        var offset = PcmAudio.SamplesFor(say.At);
        var samples = say.Audio.Samples.Span;
        for (var i = 0; i < Frame; i++)
        {
            var index = frameStart + i - offset;
            if (index >= 0 && index < samples.Length)
            {
                _inFrame[i] = (short)Math.Clamp(_inFrame[i] + samples[(int)index], short.MinValue, short.MaxValue);
            }
        }
    }

    private bool Connect()
    {
        lock (_gate)
        {
            if (_state != LegState.Alerting)
            {
                return false;
            }

            try
            {
                _subscription ??= _clock.Subscribe(this);
            }
            catch (ObjectDisposedException)
            {
                // The node is shutting down and its media clock is gone: the answer timer fired
                // too late, so the leg stays unanswered instead of throwing on a timer thread.
                return false;
            }

            _state = LegState.Connected;
            _tick = 0;
            ConnectedAt = _time.GetUtcNow();
        }

        return true;
    }

    private void EndFromFarEnd(int sipCode)
    {
        lock (_gate)
        {
            if (_state == LegState.Ended)
            {
                return;
            }

            _state = LegState.Ended;
        }

        // Report the end before playback stops, so the engine sees the hang-up first.
        _observer?.OnEnded(this, sipCode);
        Shutdown();
    }

    private void Shutdown()
    {
        _dialTimer?.Dispose();
        _subscription?.Dispose();
        _player.Stop();
        // The leg is marked ended before it leaves, so a bridge cannot be joined after this.
        FrameBridge.Leave(this);
        lock (_gate)
        {
            _incomingTaps.Clear();
            _outgoingTaps.Clear();
        }
    }

    private IDisposable AddTap(List<IAudioTap> taps, IAudioTap tap)
    {
        lock (_gate)
        {
            taps.Add(tap);
        }

        return new TapRemoval(this, taps, tap);
    }

    public void Dispose() => Shutdown();

    private sealed class Removal(Action remove) : IDisposable
    {
        private Action? _remove = remove;

        public void Dispose() => Interlocked.Exchange(ref _remove, null)?.Invoke();
    }

    private sealed class TapRemoval(VirtualLeg leg, List<IAudioTap> taps, IAudioTap tap) : IDisposable
    {
        public void Dispose()
        {
            lock (leg._gate)
            {
                taps.Remove(tap);
            }
        }
    }
}
