using OpenSma.Engine.Contracts;

namespace OpenSma.Engine.Actions;

/// <summary>Stop, Pause and Resume call recording on a leg that is being recorded (spec §7.9).</summary>
internal sealed class CallRecordingControlExecutor(string type) : IActionExecutor
{
    public string Type { get; } = type;

    public ActionTraits Traits => ActionTraits.None;

    public async ValueTask<ActionError?> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var p = context.Request.Bind(ActionParametersJsonContext.Default.CallRecordingControlParameters);
        if (p is null || context.ResolveTarget(p, LegSelection.CallIdRequired) is not null || context.Target!.Recording is not { } recording)
        {
            return ActionError.Invalid("CallId parameter for action is invalid");
        }

        switch (Type)
        {
            case ActionTypes.PauseCallRecording:
                recording.Pause();
                break;
            case ActionTypes.ResumeCallRecording:
                recording.Resume();
                break;
            default:
                context.Target.Recording = null;
                var written = await recording.FinishAsync();
                if (written.Status != Storage.Objects.ObjectStatus.Ok)
                {
                    return new ActionError("NoAccessToDestination", "Error while accessing destination");
                }

                break;
        }

        return null;
    }
}
