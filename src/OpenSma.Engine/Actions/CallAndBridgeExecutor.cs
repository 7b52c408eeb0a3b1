using OpenSma.Engine.Contracts;
using OpenSma.Engine.Legs;
using OpenSma.Engine.Transactions;

namespace OpenSma.Engine.Actions;

/// <summary>
/// Dials LEG-B and bridges it to the existing leg (spec §7.10, §10.3): ringback to LEG-A while B
/// rings, LEG-A answered when B answers, CallNotAnswered on timeout, busy or failure.
/// </summary>
internal sealed class CallAndBridgeExecutor : IActionExecutor
{
    public const int DefaultTimeoutSeconds = 30;
    public const int MaxTimeoutSeconds = 120;
    public const int MaxAwsUriLength = 36;

    /// <summary>
    /// [rec] The spec documents no CallAndBridge error for the active-call quota; this follows the
    /// documented ActionExecutionThrottled wording of other limits (VoiceFocus, spec §7.16).
    /// </summary>
    public static readonly ActionError QuotaReached = new(
        ActionError.ActionExecutionThrottled,
        "Failed to run action. The maximum number of active calls has been reached.");

    public string Type => ActionTypes.CallAndBridge;

    public ActionTraits Traits => ActionTraits.Reporting | ActionTraits.KeepsCallUnanswered;

    public async ValueTask<ActionError?> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var p = context.Request.Bind(ActionParametersJsonContext.Default.CallAndBridgeParameters) ?? new CallAndBridgeParameters();
        if (p.Endpoints is not { Count: 1 })
        {
            return ActionError.Invalid("Invalid number of endpoints provided.");
        }

        var endpoint = p.Endpoints[0];
        if (!IsValidEndpoint(endpoint))
        {
            return ActionError.Invalid("Endpoint parameter is invalid.");
        }

        if (p.CallerIdNumber is null)
        {
            return ActionError.Invalid("Caller ID not defined.");
        }

        if (!Validation.IsE164(p.CallerIdNumber))
        {
            return ActionError.Invalid("Invalid caller ID.");
        }

        if (p.CallTimeoutSeconds.IsInvalid || p.CallTimeoutSeconds.GetValueOrDefault(DefaultTimeoutSeconds) is < 1 or > MaxTimeoutSeconds)
        {
            return ActionError.Invalid("The MaxCallTimeout parameter is invalid. Timeout must be between 0 and 120 seconds.");
        }

        if ((context.Request.WasMisshapen("SipHeaders") ? "SipHeaders" : Validation.FirstInvalidSipHeader(p.SipHeaders)) is { } badHeader)
        {
            return ActionError.Invalid($"Invalid SIP header(s) provided: {badHeader}");
        }

        if (context.Request.WasMisshapen("RingbackTone") || (p.RingbackTone is not null && !Validation.IsCompleteSource(p.RingbackTone)))
        {
            return new ActionError(ActionError.InvalidAudioSource, "Ringtone parameter value is invalid.");
        }

        // It bridges from the existing leg, LEG-A (spec §6), which may still be offered.
        var legA = context.Transaction.FindLeg(null, LegSlot.LegA);
        if (legA is null || legA.Ended || legA.BridgedWith is not null)
        {
            return ActionError.InvalidLeg;
        }

        if (!IsAllowedCallerId(context, legA, p.CallerIdNumber))
        {
            return ActionError.Invalid(
                "Provided caller ID number is invalid. Number must be owned by this AWS account, or be the From number of LEG-A.");
        }

        context.ResolveTarget(new HangupParameters { CallId = legA.CallId }, LegSelection.Optional, allowOffered: true);
        Media.Audio.PcmAudio? ringback = null;
        if (p.RingbackTone is not null)
        {
            var loaded = await context.Services.Audio.LoadAsync(p.RingbackTone, ActionError.AudioSourceInvalid, cancellationToken);
            if (loaded.Error is not null)
            {
                return loaded.Error;
            }

            ringback = loaded.Audio;
        }

        var timeout = TimeSpan.FromSeconds(p.CallTimeoutSeconds.GetValueOrDefault(DefaultTimeoutSeconds));
        context.Default("CallTimeoutSeconds", (int)timeout.TotalSeconds, p.CallTimeoutSeconds.HasValue);

        // LEG-B is a second active call under the account's quota (spec §7.10, §9.4): taken before
        // dialing, it stops counting when LEG-B ends, however that happens.
        if (context.Services.Registry.TryAcquireBridge(context.Transaction) is not { } quotaLease)
        {
            return QuotaReached;
        }

        ICallLeg legB;
        LegSlot slotB;
        try
        {
            legB = context.Services.LegFactory.CreateOutbound(new OutboundLegRequest(
                p.CallerIdNumber,
                endpoint.Uri!,
                p.SipHeaders,
                endpoint.BridgeEndpointType == "AWS" ? endpoint.Arn : null));
            slotB = context.Transaction.AddLeg(legB, LegSlot.LegB, listed: false);
            quotaLease.Attach(slotB);
        }
        catch
        {
            quotaLease.Release();
            throw;
        }

        var answered = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        slotB.AnswerWaiter = answered;
        context.Peer = slotB;

        var connected = false;
        using var ringing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await legB.DialAsync(cancellationToken);
            var ringbackTask = PlayRingbackAsync(legA, ringback, ringing.Token);
            var outcome = await Runtime.MailboxWait.ResultOrFalseAsync(answered, timeout, context.Time, cancellationToken);
            ringing.Cancel();
            await ringbackTask;
            if (!outcome)
            {
                return ActionError.NotAnswered;
            }

            if (legA.Leg.State == LegState.Alerting)
            {
                await legA.Leg.AnswerAsync(cancellationToken);
            }

            slotB.Listed = true;
            connected = true;
            if (slotB.Ended)
            {
                // B answered and left while the ringback stopped or LEG-A was answered: the handler
                // hears the answer, then B's HANGUP, as if B had left just after the bridge (§10.3).
                context.LateHangup = slotB;
                return null;
            }

            legA.Leg.BridgeWith(legB);
            legB.BridgeWith(legA.Leg);
            legA.BridgedWith = slotB;
            slotB.BridgedWith = legA;
            return null;
        }
        finally
        {
            if (!connected && !slotB.Ended)
            {
                // Not answered in time, busy, or the action was stopped: LEG-B goes away unreported.
                context.Transaction.MarkReleased(slotB, 0);
                await legB.HangupAsync(0, CancellationToken.None);
            }

            context.Peer = connected ? null : slotB;
        }
    }

    private static async Task PlayRingbackAsync(LegSlot legA, Media.Audio.PcmAudio? ringback, CancellationToken cancellationToken)
    {
        // The caller hears the RingbackTone file, or a generated ringback (spec §10.1).
        var audio = ringback ?? Media.Audio.ToneGenerator.Ringback(TimeSpan.FromSeconds(6));
        try
        {
            await legA.Leg.PlayAsync(audio, int.MaxValue, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static bool IsValidEndpoint(BridgeEndpoint endpoint) => endpoint.BridgeEndpointType switch
    {
        "PSTN" => endpoint.Arn is null && Validation.IsE164(endpoint.Uri),
        "AWS" => endpoint.Arn is { Length: > 0 } arn && arn.StartsWith("arn:aws:chime:", StringComparison.Ordinal)
            && endpoint.Uri is { Length: >= 1 and <= MaxAwsUriLength } uri
            && uri.All(c => char.IsAsciiLetterOrDigit(c) || "&=+$/%-_!~*().".Contains(c, StringComparison.Ordinal)),
        _ => false,
    };

    private static bool IsAllowedCallerId(ActionContext context, LegSlot legA, string callerId) =>
        callerId == legA.Leg.From
        || callerId == legA.Leg.To
        || context.Services.Options.IsOwnedNumber is not { } owned
        || owned(callerId);
}
