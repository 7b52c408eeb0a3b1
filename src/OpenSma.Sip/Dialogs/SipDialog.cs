using System.Threading.Channels;
using OpenSma.Sip.Core;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Transactions;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip.Dialogs;

/// <summary>
/// One SIP dialog (RFC 3261 §12): the object an application holds for a call leg. It answers or
/// rejects (UAS), hangs up, sends in-dialog requests and reports what the peer does through
/// <see cref="Events"/>. Bodies stay opaque bytes with a content type.
/// </summary>
public sealed partial class SipDialog
{
    private readonly SipDialogEventQueue _events = new();
    private readonly SipUserAgent _ua;
    private readonly List<SipNameAddress> _routeSet;
    private long _localSeq;
    private long _remoteSeq;

    internal SipDialog(SipUserAgent ua, SipDialogRole role, SipRequest invite, string localTag, string remoteTag, SipRemote flow, IEnumerable<SipNameAddress> routeSet, SipUri remoteTarget)
    {
        _ua = ua;
        Role = role;
        invite.Headers.TrimExcess();
        InitialInvite = invite;
        CallId = invite.CallId!;
        LocalTag = localTag;
        RemoteTag = remoteTag;
        Flow = flow;
        _routeSet = [.. routeSet];
        RemoteTarget = remoteTarget;
        var from = invite.From!;
        var to = invite.To!;
        LocalParty = role == SipDialogRole.Uas ? to : from;
        RemoteParty = role == SipDialogRole.Uas ? from : to;
        var seq = invite.CSeq!.Value.Number;
        _localSeq = role == SipDialogRole.Uac ? seq : 0;
        _remoteSeq = role == SipDialogRole.Uas ? seq : -1;
        if (role == SipDialogRole.Uac)
        {
            RememberLocalBody(invite.Body, invite.ContentType);
        }
        else
        {
            LearnPeerAllow(invite);
        }
    }

    public SipDialogRole Role { get; }

    public SipDialogState State { get; private set; } = SipDialogState.Early;

    public string CallId { get; }

    public string LocalTag { get; }

    public string RemoteTag { get; internal set; }

    /// <summary>Our address in the dialog (From for UAC, To for UAS), tag not included.</summary>
    public SipNameAddress LocalParty { get; }

    public SipNameAddress RemoteParty { get; }

    /// <summary>Where in-dialog requests go: the peer's Contact, refreshed by target-refresh requests.</summary>
    public SipUri RemoteTarget { get; private set; }

    public IReadOnlyList<SipNameAddress> RouteSet => _routeSet;

    /// <summary>The INVITE that created the dialog (its body is the remote offer for a UAS).</summary>
    public SipRequest InitialInvite { get; }

    /// <summary>Events in the order they happened; completes when the dialog terminates.</summary>
    public ChannelReader<SipDialogEvent> Events => _events;

    internal SipRemote Flow { get; }

    internal (string CallId, string LocalTag, string RemoteTag) Key => SipUserAgent.DialogKey(CallId, LocalTag, RemoteTag);

    internal void Emit(SipDialogEvent e) => _events.TryWrite(e);

    internal void Confirm()
    {
        if (State == SipDialogState.Early)
        {
            State = SipDialogState.Confirmed;
        }
    }

    internal void Terminate(SipEndReason reason, int? statusCode = null)
    {
        if (State == SipDialogState.Terminated)
        {
            return;
        }

        State = SipDialogState.Terminated;
        _ua.Forget(this);
        _events.TryWrite(new SipDialogTerminated(reason, statusCode));
        _events.TryComplete();
        OnTerminated();
    }

    partial void OnTerminated();

    /// <summary>Builds an in-dialog request (RFC 3261 §12.2.1.1) with the next local CSeq.</summary>
    internal SipRequest NewRequest(string method, long? cseq = null)
    {
        var request = new SipRequest(method, RemoteTarget);
        var headers = request.Headers;
        foreach (var route in _routeSet)
        {
            headers.Add(SipHeaderNames.Route, route.ToString());
        }

        headers.Add(SipHeaderNames.From, LocalParty.WithTag(LocalTag).ToString());
        headers.Add(SipHeaderNames.To, RemoteParty.WithTag(RemoteTag).ToString());
        headers.Add(SipHeaderNames.CallId, CallId);
        headers.Add(SipHeaderNames.CSeq, new SipCSeq(cseq ?? ++_localSeq, method).ToString());
        headers.Add(SipHeaderNames.MaxForwards, "70");
        if (method is SipMethods.Invite or SipMethods.Update or SipMethods.Refer or SipMethods.Subscribe or SipMethods.Notify)
        {
            headers.Add(SipHeaderNames.Contact, _ua.ContactFor(Flow, LocalParty.Uri.User).ToString());
        }

        headers.Add(SipHeaderNames.UserAgent, _ua.Core.UserAgent);
        return request;
    }

    /// <summary>The transport flow for a request: the established connection on stream transports, else the next hop.</summary>
    internal SipRemote? NextHop()
    {
        if (Flow.Transport.IsReliable)
        {
            return Flow;
        }

        var hop = _routeSet.Count > 0 && _routeSet[0].Uri.Parameters.Contains("lr") ? _routeSet[0].Uri : RemoteTarget;
        if (!System.Net.IPAddress.TryParse(hop.Host.Trim('[', ']'), out _))
        {
            // A host name would mean a blocking DNS lookup under the stack's gate, stalling every
            // call; the flow the dialog was set up on reaches the same peer (or its proxy).
            return Flow;
        }

        return _ua.Core.Route(hop, Flow.Transport.Protocol) ?? Flow;
    }

    /// <summary>Methods the peer listed in Allow (its INVITE, or its 2xx when we called); None when it sent none.</summary>
    private SipMethodSet _peerAllow;

    internal void LearnPeerAllow(SipMessage message)
    {
        if (SipMethodSets.FromAllow(message) is var allow and not SipMethodSet.None)
        {
            _peerAllow = allow;
        }
    }

    internal void RefreshTarget(SipMessage message)
    {
        if (message.Contacts is [var contact, ..])
        {
            RemoteTarget = contact.Uri;
        }
    }

    /// <summary>Requests sent in the early dialog (PRACK) used CSeq numbers the confirmed dialog must continue from.</summary>
    internal void ContinueLocalSeq(long used) => _localSeq = Math.Max(_localSeq, used);

    /// <summary>Checks and records the remote CSeq (RFC 3261 §12.2.2); false when out of order.</summary>
    internal bool AcceptRemoteSeq(long seq)
    {
        if (_remoteSeq >= 0 && seq <= _remoteSeq)
        {
            return false;
        }

        _remoteSeq = seq;
        return true;
    }

    public override string ToString() => $"{Role} dialog {CallId} ({State})";
}
