using Microsoft.Extensions.Logging;
using OpenSma.Engine.Legs;
using OpenSma.Media.Audio;
using OpenSma.Media.Dtmf;
using OpenSma.Media.Mixing;
using OpenSma.Media.Playback;
using OpenSma.Sip;
using OpenSma.Sip.Dialogs;
using OpenSma.Telephony.Outbound;

namespace OpenSma.Telephony.Legs;

/// <summary>
/// A call leg over a SIP dialog and an RTP session (the <see cref="ICallLeg"/> seam for real
/// calls). Split by concern: this file holds state and media operations, the partial files the
/// dialog side (answer, hang-up, in-dialog requests) and dialing out.
/// Every path that ends the leg goes through <see cref="Release"/>, which frees the RTP ports,
/// the clock subscription, the bridge and the dialog. As an <see cref="IBridgeEndpoint"/> the leg
/// bridges with any other leg, SIP or virtual (<see cref="FrameBridge"/>).
/// </summary>
public sealed partial class SipCallLeg : ICallLeg
{
    private static readonly TimeSpan DigitGap = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan CommaPause = TimeSpan.FromMilliseconds(500);

    private readonly Lock _gate = new();
    private readonly MediaPlane _plane;
    private readonly ILogger _logger;
    private readonly LegMedia? _media;
    private SipDialog? _dialog;
    private ILegObserver? _observer;
    private LegState _state = LegState.Alerting;
    private bool _endedByEngine;
    private int? _endBeforeAttach;
    private bool _released;
    private FrameBridge? _bridge;

    private SipCallLeg(
        MediaPlane plane,
        LegMedia? media,
        LegDirection direction,
        string from,
        string to,
        IReadOnlyDictionary<string, string>? sipHeaders,
        ILogger logger)
    {
        _plane = plane;
        _media = media;
        _logger = logger;
        Direction = direction;
        From = from;
        To = to;
        SipHeaders = sipHeaders;
        CallId = Guid.NewGuid().ToString();
        StartTime = plane.Time.GetUtcNow();
        plane.LegOpened();
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

    /// <summary>The SIP dialog: the INVITE's for an inbound leg, the answered one for an outbound leg.</summary>
    public SipDialog? Dialog
    {
        get
        {
            lock (_gate)
            {
                return _dialog;
            }
        }
    }

    /// <summary>The local RTP port, or null when no port could be had.</summary>
    public int? RtpPort => _media?.Port;

    /// <summary>True once ports, clock subscription, bridge and dialog have been given back.</summary>
    public bool IsReleased
    {
        get
        {
            lock (_gate)
            {
                return _released;
            }
        }
    }

    /// <summary>Whether VoiceFocus was asked for on this leg (spec §7.16).</summary>
    public bool VoiceFocusEnabled { get; private set; }

    /// <summary>The SIP code the engine released the leg with, when it did.</summary>
    public int? ReleasedWith { get; private set; }

    /// <summary>RTP counters of the leg (for tests and diagnostics).</summary>
    public Media.Rtp.RtpStatistics? GetRtpStatistics() => _media?.Session.GetStatistics();

    public void Attach(ILegObserver observer)
    {
        int? pendingEnd;
        lock (_gate)
        {
            _observer = observer;
            pendingEnd = _endBeforeAttach;
            _endBeforeAttach = null;
        }

        if (pendingEnd is { } code)
        {
            // The caller gave up while the call was being routed.
            observer.OnEnded(this, code);
        }
    }

    public async Task<PlaybackOutcome> PlayAsync(PcmAudio audio, int repeat, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_media is not { } media || State == LegState.Ended)
        {
            return PlaybackOutcome.Stopped;
        }

        OpenMediaPath();
        var player = media.Session.Player;
        var playing = player.Play(audio, repeat);
        using (cancellationToken.Register(static p => ((AudioPlayer)p!).Stop(), player))
        {
            var outcome = await playing.ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return outcome;
        }
    }

    public async Task SendDigitsAsync(string digits, TimeSpan toneDuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(digits);
        if (_media is not { } media || State == LegState.Ended)
        {
            return;
        }

        OpenMediaPath();
        var session = media.Session;
        using var stop = cancellationToken.Register(() =>
        {
            session.DigitSender.Cancel();
            session.Player.Stop();
        });
        foreach (var segment in Segments(digits))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (segment.Length == 0)
            {
                await session.Player.Play(PcmAudio.Silence(CommaPause)).ConfigureAwait(false);
            }
            else
            {
                await session.SendDigitsAsync(segment, toneDuration, DigitGap).ConfigureAwait(false);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    // "12,,3" -> "12", "", "", "3": an empty segment is one 500 ms pause.
    private static IEnumerable<string> Segments(string digits)
    {
        var start = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            if (digits[i] == ',')
            {
                if (i > start)
                {
                    yield return digits[start..i];
                }

                yield return string.Empty;
                start = i + 1;
            }
        }

        if (start < digits.Length)
        {
            yield return digits[start..];
        }
    }

    public IDisposable TapIncoming(IAudioTap tap)
    {
        ArgumentNullException.ThrowIfNull(tap);
        return _media is { } media ? media.Session.AddInboundSink(new TapSink(tap)) : NoTap.Instance;
    }

    public IDisposable TapOutgoing(IAudioTap tap)
    {
        ArgumentNullException.ThrowIfNull(tap);
        return _media is { } media ? media.Session.AddOutboundSink(new TapSink(tap)) : NoTap.Instance;
    }

    public void BridgeWith(ICallLeg? other)
    {
        if (other is null)
        {
            FrameBridge.Leave(this);
            return;
        }

        // Any leg will do (SIP or virtual): both sides meet at the frame-level seam.
        if (FrameBridge.Join(this, other) is null)
        {
            LogUnbridgeable(_logger, CallId, other.CallId);
        }
    }

    /// <summary>The bridge this leg is in, if any.</summary>
    public FrameBridge? Bridge => Volatile.Read(ref _bridge);

    bool IBridgeEndpoint.CanBridge => _media is { IsDisposed: false } && !IsReleased;

    FrameBridge? IBridgeEndpoint.Bridge
    {
        get => Volatile.Read(ref _bridge);
        set
        {
            // Set only by FrameBridge under its lock, so old and new cannot race.
            var old = _bridge;
            Volatile.Write(ref _bridge, value);
            if (old is not null && CountsOnPlane(old))
            {
                _plane.BridgeClosed();
            }

            if (value is not null && CountsOnPlane(value))
            {
                _plane.BridgeOpened();
            }
        }
    }

    // The media plane counts each bridge once, through its first SIP leg.
    private bool CountsOnPlane(FrameBridge bridge) =>
        ReferenceEquals(bridge.A, this) || (ReferenceEquals(bridge.B, this) && bridge.A is not SipCallLeg);

    void IBridgeEndpoint.OpenBridgeMedia() => OpenMediaPath();

    IDisposable IBridgeEndpoint.AddBridgeSink(IAudioSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        // Straight onto the RTP session, so a timed sink (the bridge's jitter buffer) gets RTP timestamps.
        return _media is { } media ? media.Session.AddInboundSink(sink) : NoTap.Instance;
    }

    IAudioSource? IBridgeEndpoint.BridgeSource
    {
        get => _media?.Session.OutboundSource;
        set
        {
            if (_media is { } media)
            {
                media.Session.OutboundSource = value;
            }
        }
    }

    IDisposable IBridgeEndpoint.ObserveSignalledDigits(Action<char> onDigit)
    {
        ArgumentNullException.ThrowIfNull(onDigit);
        return _media is { } media ? media.Session.Digits.AddObserver(new SignalledDigits(onDigit)) : NoTap.Instance;
    }

    IDisposable IBridgeEndpoint.ObserveSignalledPresses(IDigitPressObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        return _media is { } media ? media.Session.AddPressObserver(new SignalledPresses(observer)) : NoTap.Instance;
    }

    // Each press with its real length: RFC 4733 following the press where negotiated, else a tone of its length.
    IDigitPressObserver IBridgeEndpoint.OpenPressRelay() =>
        _media is { } media && !IsReleased ? new DigitPressRelay(media.Session) : NoPressRelay.Instance;

    void IBridgeEndpoint.RelayDigit(char digit)
    {
        if (_media is { } media && !IsReleased)
        {
            // Queued behind any digit still on the wire; nothing waits for it.
            _ = media.Session.SendDigitsAsync(digit.ToString(), LegBridge.RelayedToneDuration, LegBridge.RelayedGap);
        }
    }

    /// <summary>
    /// VoiceFocus (spec §7.16): noise suppression of the audio received from the far end, applied by
    /// the RTP session before taps, recordings and the bridged leg get it (digits are detected before it).
    /// </summary>
    public void SetVoiceFocus(bool enabled)
    {
        VoiceFocusEnabled = enabled;
        if (_media is { } media)
        {
            media.Session.VoiceFocus = enabled;
        }
    }

    /// <summary>The leg's RTP session (tests).</summary>
    internal Media.Rtp.RtpSession? Session => _media?.Session;

    /// <summary>Gives back everything the leg holds. Idempotent; safe from any thread.</summary>
    private void Release()
    {
        SipDialog? dialog;
        lock (_gate)
        {
            if (_released)
            {
                return;
            }

            _released = true;
            dialog = _dialog;
        }

        _plane.LegReleased();
        // Marked released above, so no bridge can be joined once this one is left.
        FrameBridge.Leave(this);
        _media?.Dispose();
        if (dialog is { State: not SipDialogState.Terminated })
        {
            // BYE when confirmed, 480 while still early: the dialog never outlives the leg.
            _ = dialog.HangUpAsync();
        }
    }

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Leg {CallId}: cannot bridge with leg {OtherCallId}; one of them has ended or has no media")]
    private static partial void LogUnbridgeable(ILogger logger, string callId, string otherCallId);

    // Digits the far end signalled (RFC 4733, SIP INFO); in-band tones already cross in the audio.
    private sealed class SignalledDigits(Action<char> onDigit) : IDigitObserver
    {
        public void OnDigit(DtmfDigit digit)
        {
            if (digit.Source != DtmfSource.InBand)
            {
                onDigit(digit.Digit);
            }
        }
    }

    // Presses the far end signalled (RFC 4733, SIP INFO); in-band tones already cross in the audio.
    private sealed class SignalledPresses(IDigitPressObserver observer) : IDigitPressObserver
    {
        public void OnPress(in DigitPress press)
        {
            if (press.Source != DtmfSource.InBand)
            {
                observer.OnPress(press);
            }
        }
    }

    private sealed class NoPressRelay : IDigitPressObserver
    {
        public static readonly NoPressRelay Instance = new();

        public void OnPress(in DigitPress press)
        {
        }
    }

    private sealed class TapSink(IAudioTap tap) : IAudioSink
    {
        public void OnFrame(ReadOnlySpan<short> frame) => tap.OnFrame(frame);
    }

    private sealed class NoTap : IDisposable
    {
        public static readonly NoTap Instance = new();

        public void Dispose()
        {
        }
    }
}
