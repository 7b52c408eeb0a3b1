using System.Globalization;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Transactions;

namespace OpenSma.Sip.Dialogs;

/// <summary>
/// Session timers (RFC 4028): the refresher sends UPDATE (or a re-INVITE with our last session
/// description when the peer does not allow UPDATE) at half the interval; the other side ends the
/// call with BYE when no refresh came in time. Either side of the dialog can be the refresher.
/// </summary>
/// <remarks>
/// The refresher parameter on the wire names a role in the transaction that carries it ("uac" is
/// whoever sent that request). <see cref="_session"/> keeps it relative to the dialog's own roles
/// instead, so it survives refreshes sent by either side; the methods below translate.
/// </remarks>
public sealed partial class SipDialog
{
    private static readonly TimeSpan RefreshRetryDelay = TimeSpan.FromSeconds(2);

    private TransactionTimer? _sessionTimer;
    private SipSessionExpires? _session;
    private ReadOnlyMemory<byte> _localBody;
    private string? _localContentType;

    /// <summary>The negotiated session interval, or null when session timers are off.</summary>
    public int? SessionIntervalSeconds => _session?.Seconds;

    /// <summary>True when this side sends the session refreshes (RFC 4028 refresher).</summary>
    public bool IsSessionRefresher => WeRefresh;

    internal bool WeRefresh => _session?.Refresher == DialogRoleName(us: true);

    /// <summary>"uac" or "uas" in the dialog's own roles, for us or for the peer.</summary>
    private string DialogRoleName(bool us) => us == (Role == SipDialogRole.Uac) ? "uac" : "uas";

    internal void UseSessionTimer(SipSessionExpires session)
    {
        _session = session;
    }

    /// <summary>Remembers the last session description we sent: a re-INVITE refresh offers it again unchanged.</summary>
    internal void RememberLocalBody(ReadOnlyMemory<byte> body, string? contentType)
    {
        if (!body.IsEmpty)
        {
            _localBody = body;
            _localContentType = contentType;
        }
    }

    /// <summary>
    /// A refresh (re-INVITE or UPDATE) from the peer carried Session-Expires: adopt its interval
    /// and refresher (§9: "uas" there means us; absent, the current refresher stays, else the peer).
    /// </summary>
    internal void AdoptIncomingSession(SipRequest request)
    {
        if (SipSessionExpires.From(request) is not { } requested)
        {
            return;
        }

        var usRefresh = requested.Refresher switch
        {
            "uas" => true,
            "uac" => false,
            _ => _session is not null ? WeRefresh : !request.HasOptionTag(SipHeaderNames.Supported, "timer"),
        };
        _session = new SipSessionExpires(requested.Seconds, DialogRoleName(usRefresh));
    }

    internal void RestartSessionTimer()
    {
        if (_session is not { } session || State == SipDialogState.Terminated)
        {
            return;
        }

        _sessionTimer ??= new TransactionTimer(_ua.Core.Time, _ua.Core.Gate);
        if (WeRefresh)
        {
            _sessionTimer.Start(TimeSpan.FromSeconds(session.Seconds / 2.0), Refresh);
        }
        else
        {
            _sessionTimer.Start(ExpiryDelay(session), Expired);
        }
    }

    /// <summary>RFC 4028 §10: BYE at the interval minus the smaller of 32 s and a third of it.</summary>
    private static TimeSpan ExpiryDelay(SipSessionExpires session) =>
        TimeSpan.FromSeconds(session.Seconds - Math.Min(32, session.Seconds / 3.0));

    private void Refresh()
    {
        if (State != SipDialogState.Confirmed)
        {
            return;
        }

        if (_reInviteOutstanding)
        {
            // Our own re-INVITE is in flight; refresh once it is done.
            _sessionTimer!.Start(RefreshRetryDelay, Refresh);
            return;
        }

        // We send the refresh, so we are the "uac" of its transaction.
        var seconds = _session!.Value.Seconds;
        var headers = new List<SipHeader>
        {
            new(SipHeaderNames.SessionExpires, seconds.ToString(CultureInfo.InvariantCulture) + ";refresher=uac"),
            new(SipHeaderNames.Supported, "timer"),
        };
        var useUpdate = PeerAllowsUpdate() || _localBody.IsEmpty;
        var started = _ua.Core.Time.GetTimestamp();
        SendInDialog(
            useUpdate ? SipMethods.Update : SipMethods.Invite,
            useUpdate ? default : _localBody,
            useUpdate ? null : _localContentType,
            headers,
            response => OnRefreshAnswered(response, started));
    }

    private void OnRefreshAnswered(SipResponse response, long started)
    {
        if (State != SipDialogState.Confirmed || _session is not { } session)
        {
            return;
        }

        if (response.IsSuccess)
        {
            if (SipSessionExpires.From(response) is { } granted)
            {
                // The answer names roles of our refresh transaction: "uac" is us.
                _session = new SipSessionExpires(granted.Seconds, DialogRoleName(us: granted.Refresher != "uas"));
            }

            RestartSessionTimer();
            return;
        }

        // 408 and 481 already ended the dialog. Glare (491) is retried shortly; any other failure
        // leaves the session to expire at its end (§10), unless a later refresh succeeds.
        var left = ExpiryDelay(session) - TimeSpan.FromSeconds(session.Seconds / 2.0) - _ua.Core.Time.GetElapsedTime(started);
        if (response.StatusCode == 491 && left > RefreshRetryDelay)
        {
            _sessionTimer!.Start(RefreshRetryDelay, Refresh);
            return;
        }

        _sessionTimer!.Start(left, Expired);
    }

    /// <summary>The peer's Allow (from its INVITE or its 2xx) lists UPDATE.</summary>
    private bool PeerAllowsUpdate() =>
        (_peerAllow & SipMethodSet.Update) != 0;

    private void Expired()
    {
        if (State == SipDialogState.Confirmed)
        {
            SendBye(reason: SipEndReason.SessionExpired);
        }
    }

    private void StopSessionTimer() => _sessionTimer?.Dispose();

    /// <summary>
    /// Adds Session-Expires (refresher named in the roles of the request being answered, where we
    /// are the "uas") to a 2xx that negotiates or refreshes the session, and Require: timer when
    /// the requester supports timers (a MUST when it refreshes, a SHOULD otherwise).
    /// </summary>
    internal void AddSessionHeaders(SipResponse response, SipRequest request)
    {
        if (_session is { } session)
        {
            response.Headers.Add(SipHeaderNames.SessionExpires, session.Seconds.ToString(CultureInfo.InvariantCulture) + ";refresher=" + (WeRefresh ? "uas" : "uac"));
            if (request.HasOptionTag(SipHeaderNames.Supported, "timer"))
            {
                response.Headers.Add(SipHeaderNames.Require, "timer");
            }
        }
    }
}
