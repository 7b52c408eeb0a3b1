using System.Text.Json;
using System.Text.Json.Nodes;
using OpenSma.Engine.Contracts;
using OpenSma.Engine.Speech;

namespace OpenSma.Engine.Actions;

/// <summary>Speaks text or SSML to a leg (spec §7.13). Interruptible, like PlayAudio.</summary>
internal sealed class SpeakExecutor : IActionExecutor
{
    public string Type => ActionTypes.Speak;

    public ActionTraits Traits => ActionTraits.Interruptible;

    public async ValueTask<ActionError?> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var p = context.Request.Bind(ActionParametersJsonContext.Default.SpeakParameters);
        if (p is null || context.ResolveTarget(p, LegSelection.CallIdRequired) is not null)
        {
            return ActionError.InvalidLeg;
        }

        var (request, error) = SpeechPrompt.Read(p.Text, p.Engine, p.LanguageCode, p.TextType, p.VoiceId);
        if (error is not null)
        {
            return error;
        }

        context.Default("Engine", SpeechPrompt.EngineName(request!.Engine), p.Engine is not null);
        context.Default("TextType", SpeechPrompt.DefaultTextType, p.TextType is not null);
        context.Default("VoiceId", request.VoiceId, p.VoiceId is not null);

        var (audio, synthesisError) = await SpeechPrompt.SynthesizeAsync(context, request, throttlingListed: true, cancellationToken);
        if (synthesisError is not null)
        {
            return synthesisError;
        }

        await Playback.PlayAsync(context.Target!, audio!, 1, null, cancellationToken);
        return null;
    }
}

/// <summary>
/// Speaks a prompt and collects digits (spec §7.14): the digit rules, attempts, barge-in and
/// failure prompt are PlayAudioAndGetDigits' (<see cref="GetDigits"/>); only the prompts are spoken.
/// </summary>
internal sealed class SpeakAndGetDigitsExecutor : IActionExecutor
{
    public string Type => ActionTypes.SpeakAndGetDigits;

    public ActionTraits Traits => ActionTraits.Reporting;

    public async ValueTask<ActionError?> ExecuteAsync(ActionContext context, CancellationToken cancellationToken)
    {
        var p = context.Request.Bind(ActionParametersJsonContext.Default.SpeakAndGetDigitsParameters);
        if (p is null || context.ResolveTarget(p, LegSelection.CallIdRequired) is not null)
        {
            return ActionError.InvalidLeg;
        }

        var s = p.SpeechParameters;
        var (prompt, error) = SpeechPrompt.Read(s?.Text, s?.Engine, s?.LanguageCode, s?.TextType, s?.VoiceId);
        if (error is not null)
        {
            return error;
        }

        // Unset failure settings take the main prompt's (spec §7.14).
        var f = p.FailureSpeechParameters;
        var (failure, failureError) = SpeechPrompt.Read(f?.Text, f?.Engine, f?.LanguageCode, f?.TextType, f?.VoiceId, prompt);
        if (failureError is not null)
        {
            return failureError;
        }

        var (settings, digitsError) = GetDigits.Read(p, context);
        if (digitsError is not null)
        {
            return digitsError;
        }

        EchoWithDefaults(context, "SpeechParameters", prompt!);
        EchoWithDefaults(context, "FailureSpeechParameters", failure!);

        var (promptAudio, promptError) = await SpeechPrompt.SynthesizeAsync(context, prompt!, throttlingListed: false, cancellationToken);
        if (promptError is not null)
        {
            return promptError;
        }

        var (failureAudio, failureAudioError) = await SpeechPrompt.SynthesizeAsync(context, failure!, throttlingListed: false, cancellationToken);
        if (failureAudioError is not null)
        {
            return failureAudioError;
        }

        var digits = await settings!.RunAsync(context, promptAudio!, failureAudio!, cancellationToken);
        if (digits is null)
        {
            return PlayAudioAndGetDigitsExecutor.NoValidInput;
        }

        context.Result("ReceivedDigits", digits);
        return null;
    }

    private static void EchoWithDefaults(ActionContext context, string name, SpeechRequest request)
    {
        var echo = context.Request.Parameters.TryGetProperty(name, out var sent) && sent.ValueKind == JsonValueKind.Object
            ? JsonNode.Parse(sent.GetRawText())!.AsObject()
            : [];
        SpeechPrompt.EchoDefaults(echo, request);
        context.Resolve(name, echo);
    }
}
