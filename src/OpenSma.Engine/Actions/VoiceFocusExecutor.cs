using OpenSma.Engine.Contracts;

namespace OpenSma.Engine.Actions;

/// <summary>
/// VoiceFocus (spec §7.16): turns noise suppression of the leg's incoming audio on or off. The state
/// stays with the leg until changed. A silent action: success is only reported when it ends a list.
/// At most five run per second per account, as the VoiceFocus page states; more fail as throttled.
/// </summary>
internal sealed class VoiceFocusExecutor : IActionExecutor
{
    public const int MaxPerSecond = 5;

    private static readonly ActionError Throttled = new(
        ActionError.ActionExecutionThrottled, "Failed to run action. The maximum number of actions per second has been reached.");

    private readonly Dictionary<string, Queue<long>> _recent = new(StringComparer.Ordinal);

    public string Type => ActionTypes.VoiceFocus;

    public ActionTraits Traits => ActionTraits.None;

    public ValueTask<ActionError?> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var p = context.Request.Bind(ActionParametersJsonContext.Default.VoiceFocusParameters);
        if (p is null || !p.Enable.HasValue)
        {
            return ValueTask.FromResult<ActionError?>(ActionError.Missing("Missing required action parameter."));
        }

        if (context.ResolveTarget(p, LegSelection.CallIdRequired) is { } legError)
        {
            return ValueTask.FromResult<ActionError?>(legError);
        }

        if (!TryAdmit(context.Transaction.Application.AwsAccountId, context.Time))
        {
            return ValueTask.FromResult<ActionError?>(Throttled);
        }

        context.Target!.Leg.SetVoiceFocus(p.Enable.Value);
        return ValueTask.FromResult<ActionError?>(null);
    }

    // A sliding one-second window per account, shared by every call of this engine.
    private bool TryAdmit(string account, TimeProvider time)
    {
        var now = time.GetTimestamp();
        lock (_recent)
        {
            if (!_recent.TryGetValue(account, out var recent))
            {
                recent = new Queue<long>(MaxPerSecond);
                _recent[account] = recent;
            }

            while (recent.Count > 0 && time.GetElapsedTime(recent.Peek(), now) >= TimeSpan.FromSeconds(1))
            {
                recent.Dequeue();
            }

            if (recent.Count >= MaxPerSecond)
            {
                return false;
            }

            recent.Enqueue(now);
            return true;
        }
    }
}
