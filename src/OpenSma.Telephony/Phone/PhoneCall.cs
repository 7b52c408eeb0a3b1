using System.Globalization;
using System.Text;
using OpenSma.Engine.Virtual;
using OpenSma.Media.Dtmf;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;

namespace OpenSma.Telephony.Phone;

/// <summary>
/// One call of a <see cref="SipPhone"/> once it has a dialog: answering it (UAS), then the script's
/// cues on the phone's clock, the dialog's events (BYE, INFO digits, re-INVITEs), the media's
/// digits, and the end. Everything ends up in the <see cref="PhoneLog"/>.
/// </summary>
internal sealed class PhoneCall(SipDialog dialog, PhoneMedia media, VirtualParty script, SipPhoneOptions options, PhoneLog log, TimeProvider time)
{
    // A BYE that gets no answer ends after timer F (64*T1 = 32 s); wait a little longer than that.
    private static readonly TimeSpan EndGrace = TimeSpan.FromSeconds(40);

    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _endedToken = new();
    private Task? _dialogPump;
    private int _hangingUp;

    /// <summary>UAS: ring, then answer or refuse as the script says; runs the call when answered.</summary>
    public async Task<SipPhoneReport> AnswerAndRunAsync(CancellationToken cancellationToken)
    {
        _dialogPump = PumpDialogAsync();
        var offer = dialog.InitialInvite.Body;
        if (offer.IsEmpty)
        {
            dialog.Reject(488, "Offer Required");
            return await FinishAsync("the INVITE carried no SDP offer (not supported by the test phone)").ConfigureAwait(false);
        }

        dialog.Ring(180);
        log.Add(at => new PhoneRinging(at, 180));
        using var ringing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _endedToken.Token);
        var ringFor = script.Answer == VirtualAnswer.NoAnswer ? Timeout.InfiniteTimeSpan : script.RingFor;
        try
        {
            await Task.Delay(ringFor, time, ringing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            if (!_ended.Task.IsCompleted)
            {
                // Our own cancellation while ringing: 480 Temporarily Unavailable.
                await HangUpAsync("cancelled while ringing").ConfigureAwait(false);
            }

            return await FinishAsync(null).ConfigureAwait(false);
        }

        switch (script.Answer)
        {
            case VirtualAnswer.Busy:
                dialog.Reject(486);
                return await FinishAsync(null).ConfigureAwait(false);
            case VirtualAnswer.Reject:
                dialog.Reject(script.RejectCode);
                return await FinishAsync(null).ConfigureAwait(false);
        }

        var (answer, error) = media.AnswerOffer(offer.Span);
        if (answer is null)
        {
            dialog.Reject(488);
            return await FinishAsync(error).ConfigureAwait(false);
        }

        if (!await dialog.AnswerAsync(answer, "application/sdp", cancellationToken).ConfigureAwait(false))
        {
            return await FinishAsync("the caller cancelled or never acknowledged the answer").ConfigureAwait(false);
        }

        log.Add(at => new PhoneAnswered(at));
        return await RunAsync(null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The connected call: cues, digits and events until the dialog ends.</summary>
    public async Task<SipPhoneReport> RunAsync(string? error, CancellationToken cancellationToken)
    {
        _dialogPump ??= PumpDialogAsync();
        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _endedToken.Token);
        var digits = PumpDigitsAsync(running.Token);
        var cues = RunCuesAsync(running.Token);
        try
        {
            await Task.WhenAny(_ended.Task, Task.Delay(options.MaxDuration, time, running.Token)).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The caller cancelled or the call ended; handled below.
        }

        if (!_ended.Task.IsCompleted)
        {
            await HangUpAsync(cancellationToken.IsCancellationRequested ? "cancelled" : "maximum duration reached").ConfigureAwait(false);
        }

        var report = await FinishAsync(error).ConfigureAwait(false);
        await running.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(cues, digits).ConfigureAwait(false);
        return report with { Events = log.Snapshot() };
    }

    public async Task HangUpAsync(string why)
    {
        if (Interlocked.Exchange(ref _hangingUp, 1) != 0 || _ended.Task.IsCompleted)
        {
            return;
        }

        log.Add(at => new PhoneHangingUp(at, why));
        try
        {
            await dialog.HangUpAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // The dialog ended meanwhile; its Terminated event says how.
        }
    }

    private async Task<SipPhoneReport> FinishAsync(string? error)
    {
        try
        {
            await _ended.Task.WaitAsync(EndGrace, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            error ??= "the dialog did not end within " + EndGrace.TotalSeconds + " s";
        }

        var statistics = media.Statistics();
        var heard = media.StopRecording();
        return new SipPhoneReport(log.Snapshot(), heard, statistics, error);
    }

    private async Task PumpDialogAsync()
    {
        await foreach (var e in dialog.Events.ReadAllAsync().ConfigureAwait(false))
        {
            switch (e)
            {
                case SipDtmfReceived dtmf:
                    if (media.Session is { } session)
                    {
                        session.Digits.OnSipInfo(dtmf.Digit);
                    }
                    else
                    {
                        log.Add(at => new PhoneDigitReceived(at, dtmf.Digit, DtmfSource.SipInfo));
                    }

                    break;
                case SipDialogRequestReceived request:
                    Respond(request.Request);
                    break;
                case SipDialogTerminated end:
                    log.Add(at => new PhoneEnded(at, end.Reason, end.StatusCode));
                    End();
                    break;
            }
        }

        End();
    }

    private void End()
    {
        if (_ended.TrySetResult())
        {
            _endedToken.Cancel();
        }
    }

    private void Respond(SipIncomingRequest request)
    {
        if (request.Method is SipMethods.Invite or SipMethods.Update && !request.Request.Body.IsEmpty)
        {
            var (answer, _) = media.AnswerOffer(request.Request.Body.Span);
            if (answer is null)
            {
                request.Respond(488);
            }
            else
            {
                request.Respond(200, answer, "application/sdp");
            }

            return;
        }

        // An offerless re-INVITE would need our offer in the 200 and the answer in the ACK; the test phone refuses it.
        request.Respond(request.Method == SipMethods.Invite ? 488 : 200);
    }

    private async Task PumpDigitsAsync(CancellationToken cancellationToken)
    {
        if (media.Session is not { } session)
        {
            return;
        }

        var reader = session.Digits.Reader;
        try
        {
            await foreach (var digit in reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                log.Add(at => new PhoneDigitReceived(at, digit.Digit, digit.Source));
            }
        }
        catch (OperationCanceledException)
        {
        }

        while (reader.TryRead(out var late))
        {
            log.Add(at => new PhoneDigitReceived(at, late.Digit, late.Source));
        }
    }

    private async Task RunCuesAsync(CancellationToken cancellationToken)
    {
        var connected = time.GetTimestamp();
        try
        {
            foreach (var cue in script.Cues.OrderBy(c => c.At))
            {
                var wait = cue.At - time.GetElapsedTime(connected);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                }

                switch (cue)
                {
                    case DigitCue d:
                        await SendDigitAsync(d.Digit, cancellationToken).ConfigureAwait(false);
                        break;
                    case SayCue s when media.Session is { } session:
                        log.Add(at => new PhoneSaid(at, s.Audio.Duration));
                        _ = session.Player.Play(s.Audio);
                        break;
                    case HangupCue:
                        await HangUpAsync("script").ConfigureAwait(false);
                        return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SendDigitAsync(char digit, CancellationToken cancellationToken)
    {
        if (options.DigitMethod == PhoneDigitMethod.SipInfo)
        {
            log.Add(at => new PhoneDigitSent(at, digit, PhoneDigitMethod.SipInfo));
            var body = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"Signal={digit}\r\nDuration={(int)options.ToneDuration.TotalMilliseconds}\r\n"));
            try
            {
                await dialog.SendRequestAsync(SipMethods.Info, body, "application/dtmf-relay", cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // The dialog ended before the digit could go out.
            }

            return;
        }

        if (media.Session is { } session)
        {
            log.Add(at => new PhoneDigitSent(at, digit, PhoneDigitMethod.Rfc4733));
            await session.SendDigitsAsync(digit.ToString(), options.ToneDuration, TimeSpan.FromMilliseconds(40)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
