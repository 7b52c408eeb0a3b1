using System.Net;
using OpenSma.Engine.Virtual;
using OpenSma.Media.Clock;
using OpenSma.Media.Rtp;
using OpenSma.Sip;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Transports;

namespace OpenSma.Telephony.Phone;

/// <summary>
/// A scriptable SIP phone built on OpenSMA's own SIP endpoint and media plane, for tests,
/// <c>opensma call --sip</c> and load runs. It dials a target (UAC) or answers a call handed to it
/// (UAS: ring, then answer, busy, reject or never answer), then follows the same script as a
/// virtual phone: digits (RFC 4733 or SIP INFO), WAV files spoken, a hang-up time. It records
/// everything it hears and reports what happened. Built on an endpoint from <see cref="CreateEndpoint"/>,
/// it can also register with a registrar (<see cref="RegisterAsync"/>); disposing it unregisters.
/// </summary>
public sealed class SipPhone(SipEndpoint sip, RtpPortAllocator ports, MediaClock clock, TimeProvider time, SipPhoneOptions? options = null) : IAsyncDisposable
{
    private readonly SipPhoneOptions _options = options ?? new SipPhoneOptions();
    private readonly List<SipPhoneRegistration> _registrations = [];

    /// <summary>
    /// A SIP endpoint for a phone on UDP at <paramref name="bind"/>; its REGISTER requests leave from
    /// the same socket (<see cref="SipEndpoint.SendRequestAsync"/>). No registrar of its own unless
    /// <paramref name="options"/> says so. Start it before dialing or registering.
    /// </summary>
    public static SipEndpoint CreateEndpoint(IPEndPoint bind, TimeProvider? time = null, SipEndpointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bind);
        options ??= new SipEndpointOptions { RegistrarEnabled = false };
        return new SipEndpoint(options, time, loggerFactory: null, transports: [new UdpSipTransport(bind, options.Limits)]);
    }

    /// <summary>
    /// Registers <see cref="SipPhoneRegistrationOptions.User"/> at the registrar with this phone's SIP
    /// socket as the contact, answering a digest challenge with the credentials given. Returns once
    /// the first REGISTER has its answer (check <see cref="SipPhoneRegistration.IsRegistered"/> and
    /// <see cref="SipPhoneRegistration.LastStatusCode"/>); a granted binding is refreshed before it
    /// expires until the registration or the phone is disposed.
    /// </summary>
    public async Task<SipPhoneRegistration> RegisterAsync(SipPhoneRegistrationOptions registration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registration);
        if (!IPAddress.TryParse(registration.Registrar.Host.Trim('[', ']'), out _))
        {
            throw new ArgumentException($"The registrar {registration.Registrar} must be given by IP address.", nameof(registration));
        }

        var transport = sip.Transports.FirstOrDefault(t => t.Protocol == "UDP")
            ?? throw new InvalidOperationException("Registering needs a started endpoint with a UDP transport (SipPhone.CreateEndpoint makes one).");
        var local = transport.LocalEndPoint.Address;
        var host = local.Equals(IPAddress.Any) || local.Equals(IPAddress.IPv6Any) ? _options.MediaAddress.ToString() : local.ToString();
        var binding = new SipPhoneRegistration(sip, transport, registration, host, time);
        lock (_registrations)
        {
            _registrations.Add(binding);
        }

        await binding.StartAsync(cancellationToken).ConfigureAwait(false);
        return binding;
    }

    /// <summary>Unregisters every registration made through this phone.</summary>
    public async ValueTask DisposeAsync()
    {
        SipPhoneRegistration[] registrations;
        lock (_registrations)
        {
            registrations = [.. _registrations];
            _registrations.Clear();
        }

        foreach (var registration in registrations)
        {
            await registration.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Calls <paramref name="target"/> and runs <paramref name="script"/>'s cues once answered.</summary>
    public async Task<SipPhoneReport> DialAsync(SipUri target, SipNameAddress from, VirtualParty script, IReadOnlyList<SipHeader>? headers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(script);
        var log = new PhoneLog(time, _options.OnEvent);
        using var media = PhoneMedia.TryCreate(ports, _options.MediaAddress, _options.Capabilities, clock, time, _options.MaxRecording);
        if (media is null)
        {
            return new SipPhoneReport(log.Snapshot(), Media.Audio.PcmAudio.Empty, null, "no free RTP port pair");
        }

        using var ringTimer = new CancellationTokenSource(_options.RingTimeout, time);
        using var ringing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, ringTimer.Token);
        var offer = PhoneMedia.Encode(media.OfferAnswer.CreateOffer());
        string? mediaError = null;
        var invite = new SipInviteOptions
        {
            Target = target,
            From = from,
            Body = offer,
            ContentType = "application/sdp",
            Headers = headers ?? [],
            OnProvisional = response =>
            {
                if (response.StatusCode is 180 or 183)
                {
                    log.Add(at => new PhoneRinging(at, response.StatusCode));
                }

                // Early media: the first SDP answer (in a 183, usually) starts RTP before the 200.
                if (!response.Body.IsEmpty && media.Session is null)
                {
                    mediaError = media.AcceptAnswer(response.Body.Span);
                }
            },
        };

        SipInviteResult result;
        try
        {
            result = await sip.InviteAsync(invite, ringing.Token).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            return new SipPhoneReport(log.Snapshot(), media.StopRecording(), null, ex.Message);
        }

        if (result.Dialog is not { } dialog)
        {
            var response = result.FinalResponse;
            log.Add(at => new PhoneFailed(at, response.StatusCode, response.ReasonPhrase));
            return new SipPhoneReport(log.Snapshot(), media.StopRecording(), media.Statistics(), mediaError);
        }

        log.Add(at => new PhoneAnswered(at));
        if (media.OfferAnswer.Current is null)
        {
            // No early media: the answer is in the 200 OK.
            mediaError = result.AnswerBody.IsEmpty ? "the 200 OK carried no SDP answer" : media.AcceptAnswer(result.AnswerBody.Span);
        }

        var call = new PhoneCall(dialog, media, script, _options, log, time);
        if (mediaError is not null)
        {
            await call.HangUpAsync(mediaError).ConfigureAwait(false);
        }

        return await call.RunAsync(mediaError, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Answers an incoming call as <paramref name="script"/> says: rings for <see cref="VirtualParty.RingFor"/>,
    /// then answers, answers 486 (busy), rejects with <see cref="VirtualParty.RejectCode"/>, or rings until
    /// the caller gives up. Safe to call from <see cref="SipEndpoint.IncomingCall"/>.
    /// </summary>
    public async Task<SipPhoneReport> AnswerAsync(SipDialog incoming, VirtualParty script, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        ArgumentNullException.ThrowIfNull(script);
        // Leave the SIP stack's gate before doing anything.
        await Task.Yield();
        var log = new PhoneLog(time, _options.OnEvent);
        using var media = PhoneMedia.TryCreate(ports, _options.MediaAddress, _options.Capabilities, clock, time, _options.MaxRecording);
        if (media is null)
        {
            incoming.Reject(503);
            log.Add(at => new PhoneEnded(at, SipEndReason.Rejected, 503));
            return new SipPhoneReport(log.Snapshot(), Media.Audio.PcmAudio.Empty, null, "no free RTP port pair");
        }

        var call = new PhoneCall(incoming, media, script, _options, log, time);
        return await call.AnswerAndRunAsync(cancellationToken).ConfigureAwait(false);
    }
}
