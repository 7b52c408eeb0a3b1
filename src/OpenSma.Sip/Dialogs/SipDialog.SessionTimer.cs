using OpenSma.Sip.Messages;
using OpenSma.Sip.Transactions;

namespace OpenSma.Sip.Dialogs;

/// <summary>
/// Session timers (RFC 4028): the refresher sends UPDATE at half the interval; the other side
/// ends the call with BYE when no refresh came in time.
/// </summary>
public sealed partial class SipDialog
{
    private TransactionTimer? _sessionTimer;
    private SipSessionExpires? _session;

    /// <summary>The negotiated session interval, or null when session timers are off.</summary>
    public int? SessionIntervalSeconds => _session?.Seconds;

    internal bool WeRefresh => _session?.Refresher == (Role == SipDialogRole.Uac ? "uac" : "uas");

    internal void UseSessionTimer(SipSessionExpires session)
    {
        _session = session;
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
            // RFC 4028 §10: BYE at the interval minus the smaller of 32 s and a third of it.
            var margin = Math.Min(32, session.Seconds / 3.0);
            _sessionTimer.Start(TimeSpan.FromSeconds(session.Seconds - margin), Expired);
        }
    }

    private void Refresh()
    {
        var header = new SipHeader(SipHeaderNames.SessionExpires, _session!.Value.ToString());
        SendInDialog(SipMethods.Update, default, null, [header], response =>
        {
            if (response.IsSuccess)
            {
                RestartSessionTimer();
            }
        });
    }

    private void Expired()
    {
        if (State == SipDialogState.Confirmed)
        {
            SendBye(reason: SipEndReason.SessionExpired);
        }
    }

    private void StopSessionTimer() => _sessionTimer?.Dispose();

    /// <summary>Adds Session-Expires and Require: timer to a 2xx that negotiates or refreshes the session.</summary>
    internal void AddSessionHeaders(SipResponse response)
    {
        if (_session is { } session)
        {
            response.Headers.Add(SipHeaderNames.SessionExpires, session.ToString());
            response.Headers.Add(SipHeaderNames.Require, "timer");
        }
    }
}
