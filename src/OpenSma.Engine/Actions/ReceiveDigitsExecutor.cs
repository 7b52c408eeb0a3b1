using OpenSma.Engine.Contracts;
using OpenSma.Engine.Transactions;

namespace OpenSma.Engine.Actions;

/// <summary>Arms the leg's background digit listener and completes at once (spec §7.6).</summary>
internal sealed class ReceiveDigitsExecutor : IActionExecutor
{
    public string Type => ActionTypes.ReceiveDigits;

    public ActionTraits Traits => ActionTraits.None;

    public ValueTask<ActionError?> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var p = context.Request.Bind(ActionParametersJsonContext.Default.ReceiveDigitsParameters);
        var regex = p?.InputDigitsRegex is { } pattern ? Validation.TryRegex(pattern) : null;
        if (p is null || regex is null)
        {
            return ValueTask.FromResult<ActionError?>(ActionError.Invalid("The InputDigitsRegex parameter is invalid."));
        }

        if (!p.InBetweenDigitsDurationInMilliseconds.HasValue || p.InBetweenDigitsDurationInMilliseconds.Value <= 0)
        {
            return ValueTask.FromResult<ActionError?>(ActionError.Invalid("The InBetweenDigitsDurationInMilliseconds parameter is invalid."));
        }

        if (!p.FlushDigitsDurationInMilliseconds.HasValue
            || p.FlushDigitsDurationInMilliseconds.Value <= p.InBetweenDigitsDurationInMilliseconds.Value)
        {
            return ValueTask.FromResult<ActionError?>(ActionError.Invalid("The FlushDigitsDurationInMilliseconds parameter is invalid."));
        }

        if (context.ResolveTarget(p, LegSelection.Optional) is { } legError)
        {
            return ValueTask.FromResult<ActionError?>(legError);
        }

        var slot = context.Target!;
        context.Default("ParticipantTag", slot.Tag, p.ParticipantTag is not null);
        // A new ReceiveDigits replaces the leg's detector (spec §7.6 [rec]).
        slot.DigitListener?.Dispose();
        slot.DigitListener = new ReceiveDigitsListener(
            context.Transaction,
            slot,
            regex,
            TimeSpan.FromMilliseconds(p.InBetweenDigitsDurationInMilliseconds.Value),
            TimeSpan.FromMilliseconds(p.FlushDigitsDurationInMilliseconds.Value),
            context.BuildActionData(null));

        // The success that closes a list ending in ReceiveDigits carries an empty ReceivedDigits (§5.5).
        context.Result("ReceivedDigits", string.Empty);
        return ValueTask.FromResult<ActionError?>(null);
    }
}
