using System.Net;
using OpenSma.Media.Audio;
using OpenSma.Media.Clock;
using OpenSma.Media.Dtmf;
using OpenSma.Media.Playback;
using OpenSma.Media.Sdp;

namespace OpenSma.Media.Rtp;

/// <summary>
/// One leg's media: sends a G.711 frame (or an RFC 4733 event packet) on every media clock tick,
/// receives RTP and RTCP from the transport, latches to the peer's real address, reports received
/// audio to sinks, turns telephone-events and in-band tones into digits, sends RTCP reports and
/// notices a dead peer. Packet paths allocate nothing: the buffers one packet or tick works in
/// belong to the thread doing the work (<see cref="PacketScratch"/>), not to the leg, so a live
/// leg keeps only its state.
/// </summary>
public sealed partial class RtpSession : IMediaClockListener, IMediaTransportReceiver, IDisposable
{
    private readonly IMediaTransport _transport;
    private readonly TimeProvider _time;
    private readonly Lock _receiveGate = new();
    private readonly RtpSendStream _send = RtpSendStream.CreateRandom();
    private readonly RtpReceiveStatistics _receive = new();
    // Created with the first telephone-event, and the first audio that in-band detection is on
    // for: most legs never need one or the other. Used under _receiveGate only.
    private TelephoneEventReceiver? _eventReceiver;
    private InBandDtmfDetector? _inBand;
    private readonly SymmetricLatch _latch;
    private readonly TaskCompletionSource _peerInactive = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _ticksPerRtcp;
    private IAudioSink[] _inboundSinks = [];
    private IAudioSink[] _outboundSinks = [];
    private volatile RtpSessionOptions _options;
    private volatile IAudioSource? _outboundSource;
    private SocketAddress? _rtcpDestination;
    private bool _rtcpLatched;
    private long _lastReceived;
    private long _lastArrival;
    private long _rejected;
    private long _malformed;
    private RtcpReportBlock? _remoteBlock;
    private uint _peerLastSenderReport;
    private long _peerLastSenderReportAt;
    private TimeSpan? _roundTrip;
    private long _ticksUntilRtcp;
    private int _disposed;

    public RtpSession(IMediaTransport transport, RtpSessionOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _transport = transport;
        _options = options;
        _time = time;
        _latch = new SymmetricLatch(time);
        Digits = new DigitStream(time);
        _lastReceived = time.GetTimestamp();
        _ticksPerRtcp = Math.Max(1, options.RtcpInterval.Ticks / MediaClock.FrameInterval.Ticks);
        _ticksUntilRtcp = _ticksPerRtcp;
    }

    public int LocalRtpPort => _transport.LocalRtpPort;

    public uint Ssrc => _send.Ssrc;

    public RtpSessionOptions Options => _options;

    /// <summary>Prompts, tones and recorded audio queued for the peer.</summary>
    public AudioPlayer Player { get; } = new();

    public TelephoneEventSender DigitSender { get; } = new();

    public DigitStream Digits { get; }

    /// <summary>Completes when no RTP has arrived for the inactivity timeout while media was expected.</summary>
    public Task PeerInactive => _peerInactive.Task;

    /// <summary>Where RTP goes now: the latched source, else the signalled address.</summary>
    public SocketAddress? RemoteRtp => _latch.Destination;

    public bool IsLatched => _latch.IsLatched;

    /// <summary>
    /// When the latest accepted RTP packet arrived, as a Stopwatch timestamp: the transport's
    /// (kernel) receive time, else when it was processed; 0 before the first. Read from an inbound
    /// sink, it is the arrival of the packet whose audio the sink is being given.
    /// </summary>
    public long LastArrivalTimestamp => Volatile.Read(ref _lastArrival);

    /// <summary>Audio sent when the player is idle (a bridge or conference feed); null for silence.</summary>
    public IAudioSource? OutboundSource
    {
        get => _outboundSource;
        set => _outboundSource = value;
    }

    public void Start() => _transport.Start(this);

    /// <summary>
    /// The peer's address from SDP (answer or re-INVITE); RTCP goes to the next port unless given,
    /// or to the RTP address itself when the options say rtcp-mux.
    /// </summary>
    public void SetRemote(IPEndPoint rtp, IPEndPoint? rtcp = null)
    {
        ArgumentNullException.ThrowIfNull(rtp);
        lock (_receiveGate)
        {
            _latch.SetSignalled(rtp.Serialize());
            _rtcpDestination = (rtcp ?? (_options.RtcpMux ? rtp : new IPEndPoint(rtp.Address, rtp.Port + 1))).Serialize();
            _rtcpLatched = false;
        }
    }

    /// <summary>A re-negotiation (codec change, hold/resume). The SSRC, sequence and timestamps continue.</summary>
    public void Update(RtpSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var wasReceiving = _options.Direction.Receives();
        _options = options;
        if (!wasReceiving && options.Direction.Receives())
        {
            // Resuming from hold: the inactivity clock restarts now.
            Volatile.Write(ref _lastReceived, _time.GetTimestamp());
        }
    }

    public Task<bool> SendDigitsAsync(string digits, TimeSpan toneDuration, TimeSpan gap)
    {
        if (_options.TelephoneEventPayloadType is null)
        {
            return SendInBandAsync(digits, toneDuration, gap);
        }

        return DigitSender.Send(digits, toneDuration, gap);
    }

    public IDisposable AddInboundSink(IAudioSink sink) => AddSink(ref _inboundSinks, sink);

    public IDisposable AddOutboundSink(IAudioSink sink) => AddSink(ref _outboundSinks, sink);

    public RtpStatistics GetStatistics()
    {
        lock (_receiveGate)
        {
            return new RtpStatistics(
                _send.PacketCount,
                _send.OctetCount,
                _receive.PacketsReceived,
                Math.Max(0, _receive.CumulativeLost),
                _receive.Jitter / 8.0,
                Interlocked.Read(ref _rejected),
                Interlocked.Read(ref _malformed),
                _remoteBlock?.FractionLost,
                _remoteBlock is { } b ? b.Jitter / 8.0 : null,
                _roundTrip);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Player.Stop();
        DigitSender.Cancel();
        Digits.Complete();
        _transport.Dispose();
    }

    // Peers without telephone-event get the digits as tones in the audio.
    private Task<bool> SendInBandAsync(string digits, TimeSpan toneDuration, TimeSpan gap)
    {
        var parts = new List<PcmAudio>();
        foreach (var digit in digits)
        {
            if (parts.Count > 0)
            {
                parts.Add(PcmAudio.Silence(gap));
            }

            parts.Add(ToneGenerator.Dtmf(digit, toneDuration));
        }

        return Player.Play(PcmAudio.Concat([.. parts])).ContinueWith(
            t => t.Result == PlaybackOutcome.Completed,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private SinkRegistration AddSink(ref IAudioSink[] sinks, IAudioSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        lock (_receiveGate)
        {
            sinks = [.. sinks, sink];
        }

        return new SinkRegistration(this, sink);
    }

    private void RemoveSink(IAudioSink sink)
    {
        lock (_receiveGate)
        {
            _inboundSinks = [.. _inboundSinks.Where(s => !ReferenceEquals(s, sink))];
            _outboundSinks = [.. _outboundSinks.Where(s => !ReferenceEquals(s, sink))];
        }
    }

    private sealed class SinkRegistration(RtpSession session, IAudioSink sink) : IDisposable
    {
        public void Dispose() => session.RemoveSink(sink);
    }
}
