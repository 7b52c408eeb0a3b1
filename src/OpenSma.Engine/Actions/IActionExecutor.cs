using OpenSma.Engine.Contracts;

namespace OpenSma.Engine.Actions;

[Flags]
internal enum ActionTraits
{
    None = 0,
    /// <summary>Sends its own ACTION_SUCCESSFUL even mid-list (spec §5.3 [rec]).</summary>
    Reporting = 1,
    /// <summary>Stopped at once when an update replaces the list (spec §5.4).</summary>
    Interruptible = 2,
    /// <summary>Does not answer an offered inbound call before it runs (Hangup, CallAndBridge; §10.1).</summary>
    KeepsCallUnanswered = 4,
}

/// <summary>
/// Runs one action type. Executors run on the transaction's mailbox, so they may use the context
/// freely; they validate their parameters when reached and return the documented error, or null.
/// </summary>
internal interface IActionExecutor
{
    string Type { get; }

    ActionTraits Traits { get; }

    ValueTask<ActionError?> ExecuteAsync(ActionContext context, CancellationToken cancellationToken);
}

/// <summary>Executors by action type, the way YARP looks up policies by name.</summary>
internal sealed class ActionRegistry
{
    private readonly Dictionary<string, IActionExecutor> _executors;

    public ActionRegistry(IEnumerable<IActionExecutor> executors)
    {
        _executors = executors.ToDictionary(e => e.Type, StringComparer.Ordinal);
        var missing = ActionTypes.All.Where(t => !_executors.ContainsKey(t)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException("No executor for: " + string.Join(", ", missing));
        }
    }

    public IActionExecutor Get(string type) => _executors[type];
}
