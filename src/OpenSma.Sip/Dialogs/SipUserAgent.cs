using OpenSma.Sip.Auth;
using OpenSma.Sip.Core;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Registrar;
using OpenSma.Sip.Resolution;
using OpenSma.Sip.Transactions;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip.Dialogs;

/// <summary>
/// The transaction user: routes new requests to dialogs, the registrar or the application,
/// answers what it can itself (404 with no application, 481, 405, 416, 420, 501), and starts
/// outgoing calls. Runs under the core's gate.
/// </summary>
internal sealed class SipUserAgent : ISipRequestHandler
{
    // Keyed by (Call-ID, local tag, remote tag) as they are: a concatenated key string would be one
    // more string per live call and one more allocation per in-dialog request.
    private readonly Dictionary<(string CallId, string LocalTag, string RemoteTag), SipDialog> _dialogs = [];
    private readonly Dictionary<ServerInviteTransaction, SipDialog> _pendingInvites = [];

    public SipUserAgent(SipCore core, SipRegistrar? registrar = null, SipDigestServer? authenticator = null)
    {
        Core = core;
        Registrar = registrar;
        Authenticator = authenticator;
        core.Handler = this;
    }

    public SipCore Core { get; }

    public SipRegistrar? Registrar { get; }

    /// <summary>Challenges REGISTER (and INVITE when <see cref="AuthenticateInvites"/>) when set.</summary>
    public SipDigestServer? Authenticator { get; }

    public bool AuthenticateInvites { get; init; }

    /// <summary>The session interval we ask for when a caller supports timers but requested none.</summary>
    public int? SessionExpiresSeconds { get; init; }

    /// <summary>The application: receives each new incoming call as an early UAS dialog.</summary>
    public Action<SipDialog>? IncomingCall { get; set; }

    internal int DialogCount => _dialogs.Count;

    public static (string CallId, string LocalTag, string RemoteTag) DialogKey(string callId, string localTag, string remoteTag) => (callId, localTag, remoteTag);

    public void OnRequest(SipRequest request, ServerTransaction? transaction, SipRemote source)
    {
        var toTag = request.ToTag;
        if (transaction is null)
        {
            // An ACK for a 2xx: it belongs to a dialog, never to a transaction.
            if (toTag is not null && FindDialog(request, toTag) is { } acked)
            {
                acked.OnAck(request);
            }

            return;
        }

        if (toTag is not null)
        {
            if (FindDialog(request, toTag) is { } dialog)
            {
                dialog.OnRequest(request, transaction);
            }
            else
            {
                transaction.Respond(SipResponses.Create(request, 481));
            }

            return;
        }

        switch (request.Method)
        {
            case SipMethods.Invite:
                OnInvite(request, (ServerInviteTransaction)transaction, source);
                break;
            case SipMethods.Register when Registrar is not null:
                OnRegister(request, transaction, source);
                break;
            case SipMethods.Bye or SipMethods.Info or SipMethods.Update or SipMethods.Prack or SipMethods.Notify or SipMethods.Refer:
                transaction.Respond(SipResponses.Create(request, 481));
                break;
            default:
                var notAllowed = SipResponses.Create(request, SipMethods.IsKnown(request.Method) ? 405 : 501, toTag: SipRequests.NewToken(10));
                notAllowed.Headers.Add(SipHeaderNames.Allow, SipCapabilities.Allow);
                transaction.Respond(notAllowed);
                break;
        }
    }

    private void OnInvite(SipRequest invite, ServerInviteTransaction transaction, SipRemote source)
    {
        var localTag = SipRequests.NewToken(10);
        if (AuthenticateInvites && Authenticator is not null && !Authenticated(invite, transaction, localTag))
        {
            return;
        }

        if (UnacceptableBody(invite) is { } refusal)
        {
            transaction.Respond(refusal);
            return;
        }

        if (IncomingCall is not { } application)
        {
            // No application attached yet: nobody can take the call.
            transaction.Respond(SipResponses.Create(invite, 404, toTag: localTag));
            return;
        }

        var session = SipSessionExpires.From(invite);
        if (session is { Seconds: < SipSessionExpires.MinimumSeconds })
        {
            var tooSmall = SipResponses.Create(invite, 422, toTag: localTag);
            tooSmall.Headers.Add(SipHeaderNames.MinSE, SipSessionExpires.MinimumSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            transaction.Respond(tooSmall);
            return;
        }

        var routeSet = invite.RecordRoutes;
        var remoteTarget = invite.Contacts is [var contact, ..] ? contact.Uri : invite.From!.Uri;
        var dialog = new SipDialog(this, SipDialogRole.Uas, invite, localTag, invite.From!.Tag ?? string.Empty, source, routeSet, remoteTarget);
        dialog.AttachInvite(transaction);
        if (session is { } requested)
        {
            // RFC 4028 §9: a caller that supports timers refreshes unless it asked us to; one that
            // does not (a proxy added Session-Expires) cannot, so we do.
            var callerRefreshes = invite.HasOptionTag(SipHeaderNames.Supported, "timer") && requested.Refresher != "uas";
            dialog.UseSessionTimer(requested with { Refresher = callerRefreshes ? "uac" : "uas" });
        }
        else if (SessionExpiresSeconds is { } wanted && invite.HasOptionTag(SipHeaderNames.Supported, "timer"))
        {
            // §9: a UAS may ask for a timer the caller did not request, never below its Min-SE.
            var minimum = Math.Max(SipSessionExpires.MinimumSeconds, MinSE(invite));
            dialog.UseSessionTimer(new SipSessionExpires(Math.Max(wanted, minimum), "uac"));
        }

        _dialogs[dialog.Key] = dialog;
        _pendingInvites[transaction] = dialog;
        application(dialog);
    }

    private static int MinSE(SipRequest request) =>
        request.Headers.Get(SipHeaderNames.MinSE) is { } value
        && int.TryParse(value.Split(';')[0].Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds) ? seconds : 0;

    /// <summary>
    /// RFC 3261 §8.2.3: a body we cannot read gets 415 with Accept; an Accept that rules out SDP
    /// leaves us nothing to answer with, so 406 (RFC 4475 invut, sdp01).
    /// </summary>
    private static SipResponse? UnacceptableBody(SipRequest invite)
    {
        var type = invite.ContentType;
        if (!invite.Body.IsEmpty && type is not null && !IsMediaType(type, "application/sdp") && !IsMediaType(type, "multipart/mixed"))
        {
            var response = SipResponses.Create(invite, 415, toTag: SipRequests.NewToken(10));
            response.Headers.Add(SipHeaderNames.Accept, "application/sdp");
            return response;
        }

        if (invite.Headers.GetValues(SipHeaderNames.Accept) is { Count: > 0 } accepted
            && !accepted.Any(a => IsMediaType(a, "application/sdp") || IsMediaType(a, "application/*") || IsMediaType(a, "*/*")))
        {
            var response = SipResponses.Create(invite, 406, toTag: SipRequests.NewToken(10));
            response.Headers.Add("Warning", "399 opensma \"Only application/sdp bodies are offered\"");
            return response;
        }

        return null;
    }

    private static bool IsMediaType(string value, string wanted)
    {
        var semi = value.IndexOf(';', StringComparison.Ordinal);
        return (semi < 0 ? value : value[..semi]).Trim().Equals(wanted, StringComparison.OrdinalIgnoreCase);
    }

    private void OnRegister(SipRequest register, ServerTransaction transaction, SipRemote source)
    {
        var toTag = SipRequests.NewToken(10);
        if (Authenticator is not null && !Authenticated(register, transaction, toTag))
        {
            return;
        }

        transaction.Respond(Registrar!.Register(register, source, toTag));
    }

    private bool Authenticated(SipRequest request, ServerTransaction transaction, string toTag)
    {
        var result = Authenticator!.Verify(request);
        if (result.IsAuthenticated)
        {
            return true;
        }

        transaction.Respond(Authenticator.Challenge(request, toTag, stale: result.NeedsStaleChallenge));
        return false;
    }

    public void OnCancel(ServerInviteTransaction invite)
    {
        if (_pendingInvites.TryGetValue(invite, out var dialog))
        {
            dialog.OnCancel();
        }
        else if (invite.LastResponse is not { IsFinal: true })
        {
            invite.Respond(SipResponses.Create(invite.Request, 487, toTag: SipRequests.NewToken(10)));
        }
    }

    public void OnStrayResponse(SipResponse response, SipRemote source)
    {
        // A 2xx retransmitted after our INVITE transaction ended: our ACK was lost.
        if (response.From?.Tag is { } local && response.To?.Tag is { } remote
            && _dialogs.TryGetValue(DialogKey(response.CallId ?? string.Empty, local, remote), out var dialog))
        {
            dialog.ResendAck();
        }
    }

    /// <summary>
    /// The flows on <paramref name="transport"/> that live dialogs use (early or confirmed, either
    /// role), so the transport's idle sweep keeps their connections: a quiet call's BYE or
    /// re-INVITE must still reach a peer that can only be reached on its own connection.
    /// </summary>
    public void CollectFlowsInUse(ISipTransport transport, ISet<System.Net.IPEndPoint> flows)
    {
        foreach (var dialog in _dialogs.Values)
        {
            if (ReferenceEquals(dialog.Flow.Transport, transport))
            {
                flows.Add(dialog.Flow.EndPoint);
            }
        }
    }

    /// <summary>RFC 3263 server location for outgoing requests; set by the endpoint.</summary>
    public SipServerLocator? Locator { get; init; }

    public async Task<SipInviteResult> InviteAsync(SipInviteOptions options, CancellationToken cancellationToken)
    {
        var hop = options.OutboundProxy ?? options.Target;
        IReadOnlyList<SipRemote> targets;
        if (Locator is null)
        {
            targets = Core.Route(hop) is { } route ? [route] : [];
        }
        else
        {
            try
            {
                // IP literals complete synchronously here, so the INVITE is sent before this returns.
                targets = await Locator.LocateAsync(hop, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                var unsent = BuildInvite(options, SipRequests.NewToken(10), null);
                return new SipInviteResult(null, SipResponses.Create(unsent, 487));
            }
        }

        SipOutgoingInvite attempt;
        lock (Core.Gate)
        {
            attempt = new SipOutgoingInvite(this, options, targets);
            attempt.Start(BuildInvite(options, attempt.LocalTag, targets.Count > 0 ? targets[0].Transport : null));
        }

        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() =>
            {
                lock (Core.Gate)
                {
                    attempt.Cancel();
                }
            });
            _ = attempt.Result.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        }

        return await attempt.Result.ConfigureAwait(false);
    }

    private SipRequest BuildInvite(SipInviteOptions options, string localTag, ISipTransport? transport)
    {
        var invite = new SipRequest(SipMethods.Invite, options.Target);
        var hopTransport = transport ?? Core.Transports[0];
        var from = options.From ?? new SipNameAddress(SipUri.Sip("opensma", Core.HostFor(hopTransport)));
        var headers = invite.Headers;
        headers.Add(SipHeaderNames.From, from.WithTag(localTag).ToString());
        headers.Add(SipHeaderNames.To, (options.To ?? new SipNameAddress(options.Target)).ToString());
        headers.Add(SipHeaderNames.CallId, SipRequests.NewToken(20) + "@" + Core.HostFor(hopTransport));
        headers.Add(SipHeaderNames.CSeq, new SipCSeq(1, SipMethods.Invite).ToString());
        headers.Add(SipHeaderNames.MaxForwards, "70");
        headers.Add(SipHeaderNames.Contact, ContactFor(new SipRemote(hopTransport, hopTransport.LocalEndPoint), from.Uri.User).ToString());
        headers.Add(SipHeaderNames.Allow, SipCapabilities.Allow);
        // 100rel: we acknowledge reliable provisionals (RFC 3262), which carriers may require.
        headers.Add(SipHeaderNames.Supported, SipCapabilities.Supported);
        headers.Add(SipHeaderNames.UserAgent, Core.UserAgent);
        foreach (var h in options.Headers)
        {
            headers.Add(h.Name, h.Value);
        }

        if (options.ContentType is not null)
        {
            headers.Add(SipHeaderNames.ContentType, options.ContentType);
        }

        invite.Body = options.Body;
        return invite;
    }

    internal SipDialog CreateUacDialog(SipRequest invite, SipResponse response, string localTag, SipRemote flow)
    {
        var routeSet = response.RecordRoutes.Reverse();
        var remoteTarget = response.Contacts is [var contact, ..] ? contact.Uri : invite.RequestUri;
        var dialog = new SipDialog(this, SipDialogRole.Uac, invite, localTag, response.To?.Tag ?? string.Empty, flow, routeSet, remoteTarget);
        dialog.LearnPeerAllow(response);
        _dialogs[dialog.Key] = dialog;
        return dialog;
    }

    internal void Forget(SipDialog dialog)
    {
        _dialogs.Remove(dialog.Key);

        // By key: a scan of every pending INVITE per ended call grows with the number of calls up.
        if (dialog.InviteTransaction is { } tx && _pendingInvites.TryGetValue(tx, out var pending) && ReferenceEquals(pending, dialog))
        {
            _pendingInvites.Remove(tx);
        }
    }

    /// <summary>
    /// The dialog has had the ACK for its 2xx: a CANCEL can no longer concern the INVITE (it is
    /// answered), so the transaction need not be found from here; the layer keeps it for its timers.
    /// </summary>
    internal void ReleaseInvite(ServerInviteTransaction tx, SipDialog dialog)
    {
        if (_pendingInvites.TryGetValue(tx, out var pending) && ReferenceEquals(pending, dialog))
        {
            _pendingInvites.Remove(tx);
        }
    }

    /// <summary>Our Contact for a flow: the advertised host and the transport's port, with transport=tcp on streams.</summary>
    internal SipNameAddress ContactFor(SipRemote flow, string? user)
    {
        var transport = flow.Transport;
        var uri = SipUri.Sip(user, Core.HostFor(transport), transport.LocalEndPoint.Port);
        if (transport.Protocol != "UDP")
        {
            uri.Parameters.Set("transport", transport.Protocol.ToLowerInvariant());
        }

        return new SipNameAddress(uri);
    }

    internal SipDialog? FindDialog(string callId, string localTag, string remoteTag) =>
        _dialogs.TryGetValue(DialogKey(callId, localTag, remoteTag), out var dialog) ? dialog : null;

    private SipDialog? FindDialog(SipRequest request, string toTag) =>
        _dialogs.TryGetValue(DialogKey(request.CallId ?? string.Empty, toTag, request.FromTag ?? string.Empty), out var dialog) ? dialog : null;
}
