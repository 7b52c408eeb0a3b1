using OpenSma.Engine.Contracts;

namespace OpenSma.Engine.Actions;

/// <summary>Plays an S3 WAV to a leg, with Repeat and PlaybackTerminators (spec §7.4).</summary>
internal sealed class PlayAudioExecutor : IActionExecutor
{
    public string Type => ActionTypes.PlayAudio;

    public ActionTraits Traits => ActionTraits.Interruptible;

    public async ValueTask<ActionError?> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var p = context.Request.Bind(ActionParametersJsonContext.Default.PlayAudioParameters);
        if (p is null || !Validation.IsCompleteSource(p.AudioSource))
        {
            return ActionError.AudioSourceInvalid;
        }

        if (p.Repeat.IsInvalid || (p.Repeat.HasValue && p.Repeat.Value < 1))
        {
            return ActionError.Invalid("The Repeat parameter is invalid.");
        }

        if (!Validation.AreDigitKeys(p.PlaybackTerminators))
        {
            return ActionError.Invalid("The PlaybackTerminators parameter is invalid.");
        }

        if (context.ResolveTarget(p, LegSelection.Optional) is { } legError)
        {
            return legError;
        }

        var repeat = (int)p.Repeat.GetValueOrDefault(1);
        context.Default("Repeat", repeat, p.Repeat.HasValue);
        context.Default("ParticipantTag", context.Target!.Tag, p.ParticipantTag is not null);

        var loaded = await context.Services.Audio.LoadAsync(p.AudioSource, ActionError.AudioSourceInvalid, cancellationToken);
        if (loaded.Error is { } audioError)
        {
            return audioError;
        }

        await Playback.PlayAsync(context.Target, loaded.Audio!, repeat, p.PlaybackTerminators, cancellationToken);
        return null;
    }
}
