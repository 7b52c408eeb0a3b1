using OpenSma.Media.Codecs;
using OpenSma.Media.Rtp;
using OpenSma.Media.Sdp;

namespace OpenSma.Telephony.Legs;

/// <summary>
/// One leg's media: its port lease, offer/answer state and RTP session and the clock subscription.
/// <see cref="Dispose"/> releases every one of them, once. (The bridge belongs to the leg, which
/// leaves it before disposing its media.)
/// </summary>
internal sealed class LegMedia : IDisposable
{
    // Until offer/answer settles, the session neither sends nor expects anything.
    private static readonly RtpSessionOptions Unnegotiated = new(AudioCodec.Pcmu, 0, null, MediaDirection.Inactive);

    private readonly MediaPlane _plane;
    private readonly Lock _gate = new();
    private IDisposable? _tick;
    private TimedClockListener? _timed;
    private bool _started;
    private bool _disposed;

    public LegMedia(MediaPlane plane, RtpPortLease lease)
    {
        _plane = plane;
        Port = lease.RtpPort;
        Session = new RtpSession(new UdpMediaTransport(lease), Unnegotiated, plane.Time);
        OfferAnswer = new OfferAnswerSession(plane.AdvertisedAddress, lease.RtpPort, plane.Capabilities);
    }

    public int Port { get; }

    public RtpSession Session { get; }

    public OfferAnswerSession OfferAnswer { get; }

    public bool IsNegotiated => OfferAnswer.Current is not null;

    public bool IsDisposed
    {
        get
        {
            lock (_gate)
            {
                return _disposed;
            }
        }
    }

    /// <summary>Answers an offer (initial or re-offer); null answer means a 488 with the error.</summary>
    public OfferAnswerResult Answer(SessionDescription offer)
    {
        lock (_gate)
        {
            var result = OfferAnswer.AnswerOffer(offer);
            if (result.Media is { } media)
            {
                Apply(media);
            }

            return result;
        }
    }

    public SessionDescription CreateOffer(MediaDirection direction = MediaDirection.SendRecv)
    {
        lock (_gate)
        {
            return OfferAnswer.CreateOffer(direction);
        }
    }

    /// <summary>Processes the peer's answer to our offer; returns the failure reason or null.</summary>
    public string? ProcessAnswer(SessionDescription answer)
    {
        lock (_gate)
        {
            var result = OfferAnswer.ProcessAnswer(answer);
            if (result.Media is { } media)
            {
                Apply(media);
            }

            return result.Error;
        }
    }

    /// <summary>Starts sending on the media clock (early media or answer). Idempotent.</summary>
    public void StartSending()
    {
        lock (_gate)
        {
            if (_disposed || _tick is not null)
            {
                return;
            }

            // Restart the inactivity clock: the time spent ringing does not count as silence.
            var options = Session.Options;
            Session.Update(options with { Direction = MediaDirection.Inactive });
            Session.Update(options);
            var clock = _plane.NextClock();
            _timed = new TimedClockListener(Session, _plane.SendTiming, _plane.Time, clock.StartTimestamp);
            _tick = clock.Subscribe(_timed);
            // The leg's slot in the tick is when its packets are due; lateness is counted from there.
            _timed.Offset = clock.GetOffset(_timed) ?? TimeSpan.Zero;
        }
    }

    public bool IsSending
    {
        get
        {
            lock (_gate)
            {
                return _tick is not null;
            }
        }
    }

    private void Apply(NegotiatedMedia media)
    {
        if (_disposed)
        {
            return;
        }

        Session.Update(media.Options with { InactivityTimeout = _plane.Options.RtpInactivityTimeout });
        Session.SetRemote(media.RemoteRtp, media.RemoteRtcp);
        if (!_started)
        {
            _started = true;
            Session.Start();
        }
    }

    public void Dispose()
    {
        TimedClockListener? timed;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _tick?.Dispose();
            _tick = null;
            timed = _timed;
            _timed = null;
        }

        timed?.Complete();
        _plane.ReceiveQuality.RecordEnded(Session.GetStatistics());
        // Disposing the session disposes its transport, which returns the port pair.
        Session.Dispose();
    }
}
