using System.Net;
using System.Text;
using OpenSma.Media.Audio;
using OpenSma.Media.Clock;
using OpenSma.Media.Recording;
using OpenSma.Media.Rtp;
using OpenSma.Media.Sdp;

namespace OpenSma.Telephony.Phone;

/// <summary>
/// One phone call's media: the RTP port pair, the offer/answer state, the RTP session once the
/// media is agreed (early media included), and a recorder of everything heard from then on.
/// </summary>
internal sealed class PhoneMedia : IDisposable
{
    private readonly RtpPortLease _lease;
    private readonly MediaClock _clock;
    private readonly TimeProvider _time;
    private readonly AudioRecorder _recorder;
    private readonly Lock _gate = new();
    private RtpSession? _session;
    private IDisposable? _sessionTick;
    private IDisposable? _recorderTick;
    private IDisposable? _recorderInput;
    private bool _disposed;

    private PhoneMedia(RtpPortLease lease, IPAddress address, MediaCapabilities capabilities, MediaClock clock, TimeProvider time, TimeSpan maxRecording)
    {
        _lease = lease;
        _clock = clock;
        _time = time;
        OfferAnswer = new OfferAnswerSession(address, lease.RtpPort, capabilities);
        _recorder = new AudioRecorder(new RecordingOptions(maxRecording));
    }

    public OfferAnswerSession OfferAnswer { get; }

    public RtpSession? Session
    {
        get
        {
            lock (_gate)
            {
                return _session;
            }
        }
    }

    public static PhoneMedia? TryCreate(RtpPortAllocator ports, IPAddress address, MediaCapabilities capabilities, MediaClock clock, TimeProvider time, TimeSpan maxRecording)
    {
        var lease = ports.TryAllocate(address);
        return lease is null ? null : new PhoneMedia(lease, address, capabilities, clock, time, maxRecording);
    }

    public static byte[] Encode(SessionDescription description) => Encoding.UTF8.GetBytes(description.ToString());

    /// <summary>Applies the peer's answer to our offer; null on success, else why it failed.</summary>
    public string? AcceptAnswer(ReadOnlySpan<byte> body)
    {
        var parsed = SdpParser.Parse(Encoding.UTF8.GetString(body));
        if (parsed.Description is not { } description)
        {
            return "unreadable SDP answer: " + parsed.Error;
        }

        lock (_gate)
        {
            var result = OfferAnswer.ProcessAnswer(description);
            if (result.Media is not { } media)
            {
                return "SDP answer refused: " + result.Error;
            }

            Apply(media);
            return null;
        }
    }

    /// <summary>Answers the peer's offer (initial or re-INVITE): the answer SDP, or an error for a 488.</summary>
    public (byte[]? Answer, string? Error) AnswerOffer(ReadOnlySpan<byte> body)
    {
        var parsed = SdpParser.Parse(Encoding.UTF8.GetString(body));
        if (parsed.Description is not { } description)
        {
            return (null, "unreadable SDP offer: " + parsed.Error);
        }

        lock (_gate)
        {
            var result = OfferAnswer.AnswerOffer(description);
            if (result.Media is not { } media || result.Answer is not { } answer)
            {
                return (null, "SDP offer refused: " + result.Error);
            }

            Apply(media);
            return (Encode(answer), null);
        }
    }

    /// <summary>Stops recording and returns what was heard.</summary>
    public PcmAudio StopRecording()
    {
        var result = _recorder.Stop();
        return result.IsCompletedSuccessfully ? result.Result.Audio : PcmAudio.Empty;
    }

    public RtpStatistics? Statistics() => Session?.GetStatistics();

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _recorder.Stop();
            _recorderTick?.Dispose();
            _recorderInput?.Dispose();
            _sessionTick?.Dispose();
            _session?.Dispose();
            _lease.Dispose();
        }
    }

    // Called under _gate.
    private void Apply(NegotiatedMedia media)
    {
        if (_disposed)
        {
            return;
        }

        if (_session is { } existing)
        {
            existing.Update(media.Options);
            existing.SetRemote(media.RemoteRtp, media.RemoteRtcp);
            return;
        }

        var session = new RtpSession(new UdpMediaTransport(_lease), media.Options, _time);
        session.SetRemote(media.RemoteRtp, media.RemoteRtcp);
        _recorderInput = session.AddInboundSink(_recorder.Input);
        session.Start();
        _session = session;
        _sessionTick = _clock.Subscribe(session);
        _recorderTick = _clock.Subscribe(_recorder);
    }
}
