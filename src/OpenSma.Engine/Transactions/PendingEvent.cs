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

/// <summary>An action waiting in the list, with the leg it targets when it names none.</summary>
internal readonly record struct PendingAction(ActionRequest Request, LegSlot? DefaultLeg);
