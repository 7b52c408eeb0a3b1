using OpenSma.Engine.Contracts;

namespace OpenSma.Engine.Actions;

/// <summary>Releases a leg (spec §7.2); reports through the HANGUP event of that leg.</summary>
internal sealed class HangupExecutor : IActionExecutor
{
    public string Type => ActionTypes.Hangup;

    public ActionTraits Traits => ActionTraits.KeepsCallUnanswered;

    public async ValueTask<ActionError?> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var p = context.Request.Bind(ActionParametersJsonContext.Default.HangupParameters) ?? new HangupParameters();
        if (p.SipResponseCode.IsInvalid || (p.SipResponseCode.HasValue && p.SipResponseCode.Value is not 0 and (< 400 or > 699)))
        {
            return ActionError.Invalid("The SipResponseCode parameter is invalid.");
        }

        if (context.ResolveTarget(p, LegSelection.Optional, allowOffered: true) is { } legError)
        {
            return legError;
        }

        var slot = context.Target!;
        var code = (int)p.SipResponseCode.GetValueOrDefault(0);
        context.Resolve("ParticipantTag", slot.Tag);
        context.Transaction.MarkReleased(slot, code);
        context.HangupReport = (slot, code);
        await slot.Leg.HangupAsync(code, cancellationToken);
        return null;
    }
}
