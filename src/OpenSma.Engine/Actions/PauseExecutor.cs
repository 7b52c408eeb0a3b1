using OpenSma.Engine.Contracts;

namespace OpenSma.Engine.Actions;

/// <summary>Silence for a while (spec §7.3): a timer and its cancellation, nothing more.</summary>
internal sealed class PauseExecutor : IActionExecutor
{
    public const int MinMilliseconds = 100;
    public const int MaxMilliseconds = 30_000;

    public string Type => ActionTypes.Pause;

    public ActionTraits Traits => ActionTraits.Interruptible;

    public async Task<ActionError?> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var p = context.Request.Bind(ActionParametersJsonContext.Default.PauseParameters);
        if (p is null || !p.DurationInMilliseconds.HasValue
            || p.DurationInMilliseconds.Value is < MinMilliseconds or > MaxMilliseconds)
        {
            return ActionError.Invalid("The Duration parameter is invalid.");
        }

        if (context.ResolveTarget(p, LegSelection.Optional) is { } legError)
        {
            return legError;
        }

        context.Default("ParticipantTag", context.Target!.TagJson, p.ParticipantTag is not null);
        await Task.Delay(TimeSpan.FromMilliseconds(p.DurationInMilliseconds.Value), context.Time, cancellationToken);
        return null;
    }
}
