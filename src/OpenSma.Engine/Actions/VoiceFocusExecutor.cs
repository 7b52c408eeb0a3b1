using OpenSma.Engine.Contracts;

namespace OpenSma.Engine.Actions;

internal sealed class VoiceFocusExecutor : IActionExecutor
{
    public string Type => ActionTypes.VoiceFocus;

    public ActionTraits Traits => ActionTraits.None;

    public Task<ActionError?> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var p = context.Request.Bind(ActionParametersJsonContext.Default.VoiceFocusParameters);
        if (p is null || !p.Enable.HasValue)
        {
            return Task.FromResult<ActionError?>(ActionError.Missing("Missing required action parameter."));
        }

        if (context.ResolveTarget(p, LegSelection.CallIdRequired) is { } legError)
        {
            return Task.FromResult<ActionError?>(legError);
        }

        return Task.FromResult<ActionError?>(Backend.NotConfigured("noise-suppression (VoiceFocus)"));
    }
}
