using OpenSma.Engine.Contracts;

namespace OpenSma.Engine.Transactions;

/// <summary>An event waiting to be sent; events of one transaction go out one at a time, in order.</summary>
/// <param name="Invoked">The leg the event concerns: actions without a selector in the reply target it.</param>
/// <param name="PausesList">The action list waits for this event's reply before it goes on.</param>
internal sealed record PendingEvent(
    string Type,
    LegSlot? Invoked,
    ActionData? ActionData = null,
    string? ErrorType = null,
    string? ErrorMessage = null,
    bool PausesList = false);

/// <summary>An action taken from the list, with the leg it targets when it names none.</summary>
internal readonly record struct PendingAction(ActionRequest Request, LegSlot? DefaultLeg);

/// <summary>
/// The actions of the last reply still to run, in order. A view over the reply's own action array
/// (the parser makes it exact-size) rather than a copy into a queue: a live call keeps no queue and
/// no queue buffer for it. Actions already taken stay referenced by the array until the list is
/// replaced, cleared or used up (at most 10, spec §9.3).
/// </summary>
internal struct PendingActions
{
    private IReadOnlyList<ActionRequest>? _actions;
    private LegSlot? _defaultLeg;
    private int _next;

    public readonly int Count => _actions is null ? 0 : _actions.Count - _next;

    /// <param name="defaultLeg">The leg of the event the reply answered: actions naming no leg target it.</param>
    public void Replace(IReadOnlyList<ActionRequest> actions, LegSlot? defaultLeg)
    {
        _actions = actions.Count == 0 ? null : actions;
        _defaultLeg = defaultLeg;
        _next = 0;
    }

    public void Clear() => this = default;

    /// <summary>Takes the next action; the list must not be empty.</summary>
    public PendingAction Dequeue()
    {
        var action = new PendingAction(_actions![_next++], _defaultLeg);
        if (_next == _actions.Count)
        {
            Clear();
        }

        return action;
    }
}
