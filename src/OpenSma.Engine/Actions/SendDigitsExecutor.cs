using OpenSma.Engine.Contracts;

namespace OpenSma.Engine.Actions;

/// <summary>Sends DTMF on a leg (spec §7.7).</summary>
internal sealed class SendDigitsExecutor : IActionExecutor
{
    public const int MaxDigits = 50;

    private static readonly System.Buffers.SearchValues<char> Allowed = System.Buffers.SearchValues.Create("0123456789*#ABCD,");

    public string Type => ActionTypes.SendDigits;

    public ActionTraits Traits => ActionTraits.None;

    public async ValueTask<ActionError?> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var p = context.Request.Bind(ActionParametersJsonContext.Default.SendDigitsParameters);
        if (p is null || context.ResolveTarget(p, LegSelection.CallIdRequired) is { } legError)
        {
            return ActionError.InvalidLeg;
        }

        if (p.Digits is not { Length: > 0 and <= MaxDigits } digits
            || digits.AsSpan().IndexOfAnyExcept(Allowed) >= 0)
        {
            return ActionError.Invalid("Digits parameter value is invalid.");
        }

        if (p.ToneDurationInMilliseconds.IsInvalid || p.ToneDurationInMilliseconds.GetValueOrDefault(250) is < 50 or > 24_000)
        {
            return ActionError.Invalid("ToneDuration parameter value is invalid.");
        }

        var tone = p.ToneDurationInMilliseconds.GetValueOrDefault(250);
        context.Default("ToneDurationInMilliseconds", tone, p.ToneDurationInMilliseconds.HasValue);
        await context.Target!.Leg.SendDigitsAsync(digits, TimeSpan.FromMilliseconds(tone), cancellationToken);
        return null;
    }
}
