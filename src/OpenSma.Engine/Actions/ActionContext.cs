using System.Text.Json.Nodes;
using OpenSma.Engine.Contracts;
using OpenSma.Engine.Transactions;

namespace OpenSma.Engine.Actions;

/// <summary>How an action picks its leg (spec §6).</summary>
internal enum LegSelection
{
    /// <summary>CallId or ParticipantTag or neither (the invoked leg).</summary>
    Optional,
    /// <summary>CallId is required (SendDigits, Speak, call recording, VoiceFocus ...).</summary>
    CallIdRequired,
}

/// <summary>What an executor sees of its transaction while it runs, and what it reports back.</summary>
internal sealed class ActionContext(CallTransaction transaction, ActionRequest request, LegSlot? invokedLeg)
{
    // Created on first use: most actions resolve one or two values and own nothing.
    private List<KeyValuePair<string, JsonNode?>>? _resolved;
    private List<KeyValuePair<string, JsonNode?>>? _results;
    private List<IDisposable>? _resources;

    public CallTransaction Transaction { get; } = transaction;

    public EngineServices Services => Transaction.Services;

    public TimeProvider Time => Services.Time;

    public ActionRequest Request { get; } = request;

    /// <summary>The leg the triggering event concerned; the default target.</summary>
    public LegSlot? InvokedLeg { get; } = invokedLeg;

    /// <summary>The leg the action runs on, once resolved.</summary>
    public LegSlot? Target { get; private set; }

    /// <summary>Other legs this action works with (the LEG-B of CallAndBridge).</summary>
    public LegSlot? Peer { get; set; }

    /// <summary>Set by CallAndBridge: a LEG-B that ended before it was listed, reported by HANGUP after the success.</summary>
    public LegSlot? LateHangup { get; set; }

    /// <summary>Set by Hangup: report through HANGUP for this leg instead of ACTION_SUCCESSFUL.</summary>
    public (LegSlot Slot, int SipCode)? HangupReport { get; set; }

    public bool WriteCombinedError { get; set; }

    /// <summary>
    /// Resolves the leg: CallId wins over ParticipantTag, neither means the invoked leg; an unknown
    /// or disconnected leg is InvalidActionParameter (spec §6).
    /// </summary>
    public ActionError? ResolveTarget(LegTargetParameters parameters, LegSelection selection, bool allowOffered = false)
    {
        LegSlot? slot;
        if (parameters.CallId is not null)
        {
            slot = Transaction.FindLeg(parameters.CallId, null);
        }
        else if (selection == LegSelection.CallIdRequired)
        {
            return ActionError.InvalidLeg;
        }
        else if (parameters.ParticipantTag is not null)
        {
            slot = parameters.ParticipantTag is LegSlot.LegA or LegSlot.LegB
                ? Transaction.FindLeg(null, parameters.ParticipantTag)
                : null;
        }
        else
        {
            slot = InvokedLeg;
        }

        if (slot is null || slot.Ended || !(slot.IsConnected || (allowOffered && slot.Leg.State == Legs.LegState.Alerting)))
        {
            return ActionError.InvalidLeg;
        }

        Target = slot;
        Resolve("CallId", slot.CallIdJson);
        return null;
    }

    private void EchoLegOf(ActionError error)
    {
        _ = error;
        string? callId = null;
        string? tag = null;
        // Parsed once: the request keeps only the parameters' text.
        var parameters = Request.Parameters;
        if (parameters.ValueKind == System.Text.Json.JsonValueKind.Object)
        {
            if (parameters.TryGetProperty("CallId", out var c) && c.ValueKind == System.Text.Json.JsonValueKind.String)
            {
                callId = c.GetString();
            }

            if (parameters.TryGetProperty("ParticipantTag", out var t) && t.ValueKind == System.Text.Json.JsonValueKind.String)
            {
                tag = t.GetString();
            }
        }

        var slot = !string.IsNullOrEmpty(callId) ? Transaction.FindLeg(callId, null)
            : !string.IsNullOrEmpty(tag) ? Transaction.FindLeg(null, tag)
            : InvokedLeg;
        if (slot is not null)
        {
            Resolve("CallId", slot.CallIdJson);
        }
    }

    /// <summary>A value written into the Parameters echo (a resolved leg, a filled-in default).</summary>
    public void Resolve(string name, JsonNode? value) => Set(ref _resolved, name, value);

    /// <summary>Fills in a default in the echo when the handler sent no usable value.</summary>
    public void Default(string name, JsonNode value, bool present)
    {
        if (!present)
        {
            Resolve(name, value);
        }
    }

    /// <summary>A result field beside Parameters (ReceivedDigits, RecordingDestination ...).</summary>
    public void Result(string name, JsonNode? value) => Set(ref _results, name, value);

    private static void Set(ref List<KeyValuePair<string, JsonNode?>>? items, string name, JsonNode? value)
    {
        items ??= new(2);
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].Key == name)
            {
                items.RemoveAt(i);
                break;
            }
        }

        items.Add(new(name, value));
    }

    /// <summary>Keeps a subscription (digit sink, tap) until the action ends.</summary>
    public T Own<T>(T resource)
        where T : IDisposable
    {
        (_resources ??= []).Add(resource);
        return resource;
    }

    public void ReleaseResources()
    {
        if (_resources is null)
        {
            return;
        }

        for (var i = _resources.Count - 1; i >= 0; i--)
        {
            _resources[i].Dispose();
        }

        _resources.Clear();
    }

    /// <summary>
    /// True when the action runs on that leg, so the leg's end stops it. A peer being dialed is
    /// not included: its end is an outcome the action itself reports (CallNotAnswered).
    /// </summary>
    public bool Concerns(LegSlot slot) =>
        ReferenceEquals(Target, slot) || (Target is null && ReferenceEquals(InvokedLeg, slot));

    public ActionData BuildActionData(ActionError? error)
    {
        if (error is not null && Target is null && !ReferenceEquals(error, ActionError.InvalidLeg))
        {
            // A parameter failed before the leg was resolved: the echo still names the leg (spec §3.4).
            EchoLegOf(error);
        }

        var data = new ActionData
        {
            Type = Request.Type,
            Parameters = Request.Parameters,
            Resolved = _resolved?.ToArray() ?? [],
            Results = error is null ? _results?.ToArray() ?? [] : [],
            WriteCombinedError = WriteCombinedError,
        };
        return error is null ? data : data.WithError(error);
    }
}
