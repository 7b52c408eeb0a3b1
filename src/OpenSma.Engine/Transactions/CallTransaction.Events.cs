using OpenSma.Engine.Contracts;
using OpenSma.Engine.Invocation;

namespace OpenSma.Engine.Transactions;

// The event pipeline: events go out one at a time, each reply is checked (spec §9.3) and applied
// (§5.2, §8), with the attempt timeout, retry and overall budget of §9.1.
public sealed partial class CallTransaction
{
    private void Enqueue(PendingEvent pending)
    {
        if (_ended)
        {
            return;
        }

        _events.Enqueue(pending);
        if (!_invoking)
        {
            _ = PumpEventsAsync();
        }
    }

    private async Task PumpEventsAsync()
    {
        _invoking = true;
        try
        {
            while (!_ended && _events.TryDequeue(out var pending))
            {
                await SendAsync(pending);
            }
        }
        finally
        {
            _invoking = false;
            // Between events a call keeps no attempt timer: the source and its timer go with the burst
            // of events they served (reused within it while they never fired).
            _attemptTimeout?.Dispose();
            _attemptTimeout = null;
        }

        if (!_ended)
        {
            ContinueList();
            CheckEnded();
        }
    }

    private async Task SendAsync(PendingEvent pending)
    {
        if (_sequence >= _services.Options.MaxInvocationsPerCall)
        {
            ReleaseAllAndEnd(480, $"reached the limit of {_services.Options.MaxInvocationsPerCall} invocations per call");
            return;
        }

        // HANGUP when nobody is left: the reply cannot be executed, but the handler still hears it.
        var replyWanted = !EventTypes.ReplyIgnored(pending.Type)
            && !(pending.Type == EventTypes.Hangup && !AnyConnected());

        InvocationEvent invocationEvent;
        InvocationOutcomeWithReply outcome;
        do
        {
            invocationEvent = BuildEvent(pending);
            var (buffer, length) = InvocationEventSerializer.ToPooledUtf8(invocationEvent);
            var json = new ReadOnlyMemory<byte>(buffer, 0, length);
            _trace.EventSent(TransactionId, invocationEvent, json);
            outcome = await InvokeWithRetryAsync(json, invocationEvent.Sequence);
            // The buffer lifetime contract (IHandlerInvoker): an invoker reads EventJson only until its
            // ValueTask completes. An attempt the engine stopped waiting for may still be reading it,
            // so that buffer is left to the GC instead of going back to the pool.
            if (!outcome.Abandoned)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        while (outcome.Response is null && TryFailOver(pending, outcome.Failure!));

        if (_ended)
        {
            return;
        }

        if (pending.Type == EventTypes.Hangup && _legs.TrueForAll(l => l.Ended))
        {
            // The last leg's HANGUP has been delivered: the transaction is over.
            End("all legs ended");
            return;
        }

        if (ReferenceEquals(_pausedBy, pending))
        {
            _pausedBy = null;
        }

        if (outcome.Response is null)
        {
            if (!replyWanted)
            {
                // A failed invocation for an event whose reply does not matter ends nothing.
                _trace.ReplyRejected(TransactionId, invocationEvent.Sequence, "ignored: " + outcome.Failure);
                return;
            }

            Log.InvocationFailed(_services.Logger, TransactionId, outcome.Failure!);
            ReleaseAllAndEnd(480, "handler invocation failed: " + outcome.Failure);
            return;
        }

        var parsed = outcome.Response;
        if (!replyWanted)
        {
            _trace.ReplyRejected(TransactionId, invocationEvent.Sequence, $"reply to {pending.Type} is ignored");
            return;
        }

        if (parsed.Verdict == ResponseVerdict.Invalid)
        {
            _trace.ReplyRejected(TransactionId, invocationEvent.Sequence, $"{parsed.ErrorType}: {parsed.ErrorMessage}");
            var invalid = new PendingEvent(
                EventTypes.InvalidLambdaResponse,
                pending.Invoked,
                ErrorType: parsed.ErrorType,
                ErrorMessage: parsed.ErrorMessage,
                PausesList: pending.PausesList);
            if (pending.PausesList)
            {
                _pausedBy = invalid;
            }

            _events.Enqueue(invalid);
            return;
        }

        ApplyReply(pending, parsed.Response!);
    }

    private void ApplyReply(PendingEvent pending, HandlerResponse response)
    {
        switch (response.AttributesChange)
        {
            case AttributesChange.Clear:
                _attributes = NoAttributes;
                break;
            case AttributesChange.Replace:
                _attributes = response.Attributes!;
                break;
        }

        if (pending.Type == EventTypes.NewInboundCall && !response.HasActions)
        {
            // "Actions list is empty." ends the call (spec §9.3); reject it promptly.
            _trace.ReplyRejected(TransactionId, 1, "Actions list is empty.");
            ReleaseAllAndEnd(480, "Actions list is empty.");
            return;
        }

        if (!response.HasActions)
        {
            // Absent, null and [] keep what is pending (spec §5.2 [rec]).
            ContinueList();
            return;
        }

        ReplaceList(response.Actions!, pending.Invoked, byUpdate: pending.Type == EventTypes.CallUpdateRequested);
    }

    private InvocationEvent BuildEvent(PendingEvent pending)
    {
        var sequence = Interlocked.Increment(ref _sequence);
        var withStatus = pending.Type is not (EventTypes.NewInboundCall or EventTypes.NewOutboundCall or EventTypes.Ringing);
        var callDetails = CurrentCallDetails(withStatus);

        // A leg whose HANGUP has now been reported leaves the list (a later bridge adds a new LEG-B).
        if (pending.Type == EventTypes.Hangup && pending.Invoked is { } gone)
        {
            gone.Listed = false;
        }

        return new InvocationEvent
        {
            Sequence = sequence,
            InvocationEventType = pending.Type,
            ActionData = pending.ActionData,
            ErrorType = pending.ErrorType,
            ErrorMessage = pending.ErrorMessage,
            CallDetails = callDetails,
        };
    }

    /// <summary>
    /// CallDetails for the next event. It is immutable, so while the participants (cached per leg),
    /// the attributes map and the SMA are the very same objects as last time, the last one is reused.
    /// </summary>
    private CallDetails CurrentCallDetails(bool withStatus)
    {
        var application = Application;
        var attributes = _attributes.Count > 0 ? _attributes : null;
        if (_lastCallDetails is { } last
            && ReferenceEquals(last.TransactionAttributes, attributes)
            && ReferenceEquals(last.SipMediaApplicationId, application.SipMediaApplicationId)
            && ReferenceEquals(last.AwsRegion, application.AwsRegion)
            && ReferenceEquals(last.AwsAccountId, application.AwsAccountId)
            && SameParticipants(last.Participants, withStatus))
        {
            return last;
        }

        // Exact size, no list wrapper: the call keeps this CallDetails until something in it changes.
        var listed = 0;
        foreach (var slot in _legs)
        {
            listed += slot.Listed ? 1 : 0;
        }

        var participants = listed == 0 ? [] : new Participant[listed];
        var index = 0;
        foreach (var slot in _legs)
        {
            if (slot.Listed)
            {
                participants[index++] = slot.ToParticipant(withStatus);
            }
        }

        return _lastCallDetails = new CallDetails
        {
            TransactionId = TransactionId,
            TransactionAttributes = attributes,
            AwsAccountId = application.AwsAccountId,
            AwsRegion = application.AwsRegion,
            SipRuleId = SipRuleId,
            SipMediaApplicationId = application.SipMediaApplicationId,
            Participants = participants,
        };
    }

    private bool SameParticipants(IReadOnlyList<Participant> previous, bool withStatus)
    {
        var index = 0;
        foreach (var slot in _legs)
        {
            if (!slot.Listed)
            {
                continue;
            }

            if (index >= previous.Count || !ReferenceEquals(previous[index], slot.ToParticipant(withStatus)))
            {
                return false;
            }

            index++;
        }

        return index == previous.Count;
    }

    private static readonly IReadOnlyDictionary<string, string> NoAttributes = new Dictionary<string, string>();

    /// <param name="Abandoned">An attempt was given up on while the invoker still ran (it may still read the event).</param>
    private readonly record struct InvocationOutcomeWithReply(ResponseParseResult? Response, string? Failure, bool Abandoned = false);

    /// <summary>5 s per attempt, one retry, 20 s overall (spec §9.1); unreadable replies count as failures (§9.3).</summary>
    private async ValueTask<InvocationOutcomeWithReply> InvokeWithRetryAsync(ReadOnlyMemory<byte> json, int sequence)
    {
        var options = _services.Options;
        var time = _services.Time;
        if (!_services.TryResolveInvoker(Application.Endpoint, out var invoker))
        {
            return new(null, $"no handler can serve endpoint '{Application.Endpoint}'");
        }

        var started = time.GetTimestamp();
        var request = new InvocationRequest(Application.Endpoint, json, TransactionId, sequence);
        string failure = "no attempt made";
        var abandoned = false;
        for (var attempt = 1; attempt <= 1 + options.Retries; attempt++)
        {
            var remaining = options.InvocationBudget - time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                failure = "AWS Lambda client operation timed out.";
                break;
            }

            var attemptTimeout = remaining < options.AttemptTimeout ? remaining : options.AttemptTimeout;
            // One timer source per burst of events, reused while it has never fired.
            _attemptTimeout ??= new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
            var token = _attemptTimeout.Token;
            var attemptStart = time.GetTimestamp();
            var armed = false;
            InvocationResult result;
            // Held on the mailbox until the reply has resumed there (or the transaction ends): were
            // it dropped where the handler's work ends, the clock could move before the reply lands.
            _handlerWait = options.ClockWaitsForHandlers ? _services.Activity.BeginExternal() : null;
            try
            {
                var pendingResult = invoker.InvokeAsync(request, token);
                if (pendingResult.IsCompletedSuccessfully)
                {
                    // Replied at once (an in-process handler): no timer to arm or disarm.
                    result = pendingResult.Result;
                }
                else
                {
                    _attemptTimeout.CancelAfter(attemptTimeout);
                    armed = true;
                    result = await pendingResult.AsTask().WaitAsync(token);
                }
            }
            catch (OperationCanceledException)
            {
                abandoned = true;
                result = InvocationResult.Failed(InvocationOutcome.Timeout, "AWS Lambda client operation timed out.");
            }
            catch (Exception ex)
            {
                result = InvocationResult.Failed(InvocationOutcome.Unreachable, ex.Message);
            }
            finally
            {
                _handlerWait?.Dispose();
                _handlerWait = null;
            }

            // An invoker that saw its token cancelled may have returned while its work goes on.
            abandoned |= token.IsCancellationRequested;
            if (armed && !_attemptTimeout.TryReset())
            {
                // It fired: a cancelled source cannot be reset.
                _attemptTimeout.Dispose();
                _attemptTimeout = null;
            }

            if (_ended)
            {
                return new(null, "transaction ended", abandoned);
            }

            _trace.ReplyReceived(TransactionId, sequence, attempt, result, time.GetElapsedTime(attemptStart));
            if (result.Outcome == InvocationOutcome.Ok)
            {
                var parsed = ResponseParser.Parse(result.Payload);
                if (parsed.Verdict != ResponseVerdict.Unreadable)
                {
                    return new(parsed, null, abandoned);
                }

                failure = parsed.ErrorMessage;
                _trace.ReplyRejected(TransactionId, sequence, parsed.ErrorMessage);
            }
            else
            {
                failure = $"{result.Outcome}: {result.Error}";
            }
        }

        return new(null, failure, abandoned);
    }
}
