using OpenSma.Engine.Contracts;

namespace OpenSma.Engine.Actions;

/// <summary>Silence for a while (spec §7.3): a timer and its cancellation, nothing more.</summary>
internal sealed class PauseExecutor : IActionExecutor
{
    public const int MinMilliseconds = 100;
    public const int MaxMilliseconds = 30_000;

    public string Type => ActionTypes.Pause;

    public ActionTraits Traits => ActionTraits.Interruptible;

    // Pooled state machine: a Pause is the most common action and its box would otherwise be garbage per call.
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ActionError?> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
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
        await context.Transaction.Delay.WaitAsync(TimeSpan.FromMilliseconds(p.DurationInMilliseconds.Value), cancellationToken);
        return null;
    }
}
