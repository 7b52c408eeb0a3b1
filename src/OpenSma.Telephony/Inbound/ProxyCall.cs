using Microsoft.Extensions.Logging;
using OpenSma.Engine.Legs;
using OpenSma.Sip.Dialogs;
using OpenSma.Telephony.Legs;

namespace OpenSma.Telephony.Inbound;

/// <summary>
/// A proxy-session call with no SMA in it: the caller's leg waits while the other participant's
/// leg is dialed; ringing is relayed as 180, the answer answers the caller and bridges the two
/// legs, and whichever side ends first ends the other (an unanswered caller gets the callee's
/// failure code, 480 for no answer).
/// Media is anchored: each leg has its own RTP session and the bridge relays between them. Early
/// media follows the same path: a 180 or 183 with SDP from the callee opens early media on the
/// caller's leg with the same status and our SDP answer (reliably when the caller requires 100rel)
/// and bridges the two legs at once, so ringback and announcements reach the caller before the
/// answer; the 200 then answers the caller with the same SDP and keeps the bridge.
/// </summary>
internal sealed partial class ProxyCall : ILegObserver
{
    private readonly SipCallLeg _caller;
    private readonly SipDialog _dialog;
    private readonly ICallLeg _callee;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _bridgeGate = new();
    private int _rang;
    private int _earlyMedia;
    private Task _earlyRelay = Task.CompletedTask;
    private int _finished;

    private ProxyCall(SipCallLeg caller, SipDialog dialog, ICallLeg callee, ILogger logger)
    {
        _caller = caller;
        _dialog = dialog;
        _callee = callee;
        _logger = logger;
    }

    /// <summary>Completes once both legs have been told to end.</summary>
    public Task Ended => _ended.Task;

    public static ProxyCall Start(SipCallLeg caller, SipDialog dialog, ICallLeg callee, ILogger logger)
    {
        var call = new ProxyCall(caller, dialog, callee, logger);
        callee.Attach(call);
        caller.Attach(call);
        _ = call.DialAsync();
        return call;
    }

    public void OnRinging(ICallLeg leg)
    {
        if (!ReferenceEquals(leg, _callee))
        {
            return;
        }

        if (_callee is SipCallLeg { EarlyMediaStatus: { } status } && Interlocked.Exchange(ref _earlyMedia, 1) == 0)
        {
            // Called under the SIP stack's gate: the bridge is built off it. The callee's 200 is
            // handled after this returns, so the answer can wait for the relay to be done.
            Interlocked.Exchange(ref _rang, 1);
            Volatile.Write(ref _earlyRelay, Task.Run(() => RelayEarlyMedia(status)));
            return;
        }

        if (Interlocked.Exchange(ref _rang, 1) == 0 && !_dialog.IsAnswered)
        {
            _dialog.Ring(180);
        }
    }

    /// <summary>The callee's 180/183 with SDP: the caller gets the same status with our SDP, and the legs are bridged now.</summary>
    private void RelayEarlyMedia(int status)
    {
        try
        {
            lock (_bridgeGate)
            {
                if (Volatile.Read(ref _finished) != 0 || !_caller.OpenEarlyMedia(status))
                {
                    // Answered or ended meanwhile, or the caller's INVITE had no offer: no early media.
                    if (Volatile.Read(ref _finished) == 0 && !_dialog.IsAnswered && _caller.State == LegState.Alerting)
                    {
                        _dialog.Ring(180);
                    }

                    return;
                }

                _caller.BridgeWith(_callee);
            }

            LogEarlyMedia(_logger, _caller.CallId, status);
        }
        catch (Exception ex)
        {
            LogFailed(_logger, _caller.CallId, ex);
        }
    }

    public void OnAnswered(ICallLeg leg)
    {
        if (ReferenceEquals(leg, _callee))
        {
            _ = ConnectAsync();
        }
    }

    // Digits travel inside the bridge (RFC 4733 relay); nobody here collects them.
    public void OnDigit(ICallLeg leg, char digit)
    {
    }

    public void OnEnded(ICallLeg leg, int sipResponseCode)
    {
        if (ReferenceEquals(leg, _caller))
        {
            _ = EndAsync(_callee, 0, "caller ended");
        }
        else
        {
            // Unanswered: busy, decline and the like pass through; a normal end before the answer reads 480.
            var code = _caller.State == LegState.Alerting && sipResponseCode != 0 ? sipResponseCode : _caller.State == LegState.Alerting ? 480 : 0;
            _ = EndAsync(_caller, code, "callee ended " + sipResponseCode);
        }
    }

    private async Task DialAsync()
    {
        try
        {
            await _callee.DialAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogFailed(_logger, _caller.CallId, ex);
            await EndAsync(_caller, 480, "dialing failed").ConfigureAwait(false);
        }
    }

    private async Task ConnectAsync()
    {
        try
        {
            // The caller hears the early media's 18x before the 200 that follows it.
            await Volatile.Read(ref _earlyRelay).ConfigureAwait(false);
            await _caller.AnswerAsync(CancellationToken.None).ConfigureAwait(false);
            if (_caller.State != LegState.Connected)
            {
                // The caller went away meanwhile; its end (OnEnded) releases the callee.
                return;
            }

            lock (_bridgeGate)
            {
                if (Volatile.Read(ref _finished) != 0)
                {
                    return;
                }

                // Already bridged for early media: the bridge stays as it is.
                _caller.BridgeWith(_callee);
            }

            LogConnected(_logger, _caller.CallId, _callee.CallId);
        }
        catch (Exception ex)
        {
            LogFailed(_logger, _caller.CallId, ex);
            await EndAsync(_caller, 480, "answer failed").ConfigureAwait(false);
        }
    }

    private async Task EndAsync(ICallLeg other, int code, string why)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0)
        {
            return;
        }

        LogEnding(_logger, _caller.CallId, why);
        try
        {
            lock (_bridgeGate)
            {
                _caller.BridgeWith(null);
            }

            await other.HangupAsync(code, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogFailed(_logger, _caller.CallId, ex);
        }
        finally
        {
            _ended.TrySetResult();
        }
    }

    [LoggerMessage(EventId = 211, Level = LogLevel.Information, Message = "Proxy call {CallId}: connected to leg {CalleeId}")]
    private static partial void LogConnected(ILogger logger, string callId, string calleeId);

    [LoggerMessage(EventId = 214, Level = LogLevel.Information, Message = "Proxy call {CallId}: early media from the callee ({Status} with SDP), legs bridged")]
    private static partial void LogEarlyMedia(ILogger logger, string callId, int status);

    [LoggerMessage(EventId = 212, Level = LogLevel.Information, Message = "Proxy call {CallId}: ending ({Why})")]
    private static partial void LogEnding(ILogger logger, string callId, string why);

    [LoggerMessage(EventId = 213, Level = LogLevel.Warning, Message = "Proxy call {CallId} failed")]
    private static partial void LogFailed(ILogger logger, string callId, Exception ex);
}
