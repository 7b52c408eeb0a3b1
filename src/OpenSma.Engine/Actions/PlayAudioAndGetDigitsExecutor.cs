using OpenSma.Engine.Contracts;

namespace OpenSma.Engine.Actions;

/// <summary>Plays a prompt and collects digits, with failure prompt and attempts (spec §7.5).</summary>
internal sealed class PlayAudioAndGetDigitsExecutor : IActionExecutor
{
    public static ActionError NoValidInput { get; } =
        new(ActionError.DigitsNotReceived, "No valid digits were received after all attempts.");

    public string Type => ActionTypes.PlayAudioAndGetDigits;

    public ActionTraits Traits => ActionTraits.Reporting;

    public async ValueTask<ActionError?> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var p = context.Request.Bind(ActionParametersJsonContext.Default.PlayAudioAndGetDigitsParameters);
        if (p is null || !Validation.IsCompleteSource(p.AudioSource) || !Validation.IsCompleteSource(p.FailureAudioSource))
        {
            return ActionError.AudioSourceInvalid;
        }

        var (settings, error) = GetDigits.Read(p, context);
        if (error is not null)
        {
            return error;
        }

        if (context.ResolveTarget(p, LegSelection.Optional) is { } legError)
        {
            return legError;
        }

        context.Default("ParticipantTag", context.Target!.Tag, p.ParticipantTag is not null);
        var audio = context.Services.Audio;
        var prompt = await audio.LoadAsync(p.AudioSource, ActionError.AudioSourceInvalid, cancellationToken);
        if (prompt.Error is not null)
        {
            return prompt.Error;
        }

        var failure = await audio.LoadAsync(p.FailureAudioSource, ActionError.AudioSourceInvalid, cancellationToken);
        if (failure.Error is not null)
        {
            return failure.Error;
        }

        var digits = await settings!.RunAsync(context, prompt.Audio!, failure.Audio!, cancellationToken);
        if (digits is null)
        {
            return NoValidInput;
        }

        context.Result("ReceivedDigits", digits);
        return null;
    }
}
