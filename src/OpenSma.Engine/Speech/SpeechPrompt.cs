using System.Text.Json.Nodes;
using OpenSma.Engine.Actions;
using OpenSma.Engine.Contracts;
using OpenSma.Media.Audio;

namespace OpenSma.Engine.Speech;

/// <summary>
/// What Speak and SpeakAndGetDigits share: the checks of spec §7.13 with their documented
/// messages, the defaults (Engine standard, TextType text, VoiceId Joanna), and turning a
/// synthesizer failure into the documented ErrorType.
/// </summary>
internal static class SpeechPrompt
{
    public const int MaxTextLength = 1000;
    public const string DefaultEngine = "standard";
    public const string DefaultTextType = "text";

    /// <summary>Reads one set of speech parameters; unset optional values take <paramref name="fallback"/>'s.</summary>
    public static (SpeechRequest? Request, ActionError? Error) Read(
        string? text, string? engine, string? languageCode, string? textType, string? voiceId, SpeechRequest? fallback = null)
    {
        if (string.IsNullOrEmpty(text))
        {
            return (null, ActionError.Missing("Text is a required parameter."));
        }

        if (text.Length > MaxTextLength)
        {
            return (null, ActionError.Missing("Text is limited to 1,000 characters"));
        }

        SpeechEngine resolvedEngine;
        switch (engine)
        {
            case null:
                resolvedEngine = fallback?.Engine ?? SpeechEngine.Standard;
                break;
            case "standard":
                resolvedEngine = SpeechEngine.Standard;
                break;
            case "neural":
                resolvedEngine = SpeechEngine.Neural;
                break;
            default:
                return (null, ActionError.Invalid("The Engine parameter is invalid."));
        }

        SpeechTextType resolvedType;
        switch (textType)
        {
            case null:
                resolvedType = fallback?.TextType ?? SpeechTextType.Text;
                break;
            case "text":
                resolvedType = SpeechTextType.Text;
                break;
            case "ssml":
                resolvedType = SpeechTextType.Ssml;
                break;
            default:
                return (null, ActionError.Invalid("The TextType parameter is invalid."));
        }

        if (voiceId is { Length: 0 })
        {
            return (null, ActionError.Invalid("The VoiceId parameter is invalid."));
        }

        if (languageCode is { Length: 0 })
        {
            return (null, ActionError.Invalid("The LanguageCode parameter is invalid."));
        }

        var voice = voiceId ?? fallback?.VoiceId ?? SpeechRequest.DefaultVoiceId;
        return (new SpeechRequest(text, resolvedType, resolvedEngine, languageCode ?? fallback?.LanguageCode, voice), null);
    }

    /// <summary>The parameters echo with the defaults filled in (spec §2.4: the echo shows resolved values).</summary>
    public static void EchoDefaults(JsonObject echo, SpeechRequest request)
    {
        echo.TryAdd("Engine", EngineName(request.Engine));
        echo.TryAdd("TextType", request.TextType == SpeechTextType.Ssml ? "ssml" : DefaultTextType);
        echo.TryAdd("VoiceId", request.VoiceId);
        if (request.LanguageCode is not null)
        {
            echo.TryAdd("LanguageCode", request.LanguageCode);
        }
    }

    public static string EngineName(SpeechEngine engine) => engine == SpeechEngine.Neural ? "neural" : DefaultEngine;

    /// <summary>
    /// Synthesizes on the configured backend. Synthesis is real-time work (a process, an HTTP call),
    /// so the virtual clock waits for it.
    /// </summary>
    /// <param name="throttlingListed">Speak lists ActionExecutionThrottled; SpeakAndGetDigits reports it as SystemException.</param>
    public static async Task<(PcmAudio? Audio, ActionError? Error)> SynthesizeAsync(
        ActionContext context, SpeechRequest request, bool throttlingListed, CancellationToken cancellationToken)
    {
        if (context.Services.Options.Speech is not { } synthesizer)
        {
            return (null, Backend.NotConfigured("text-to-speech"));
        }

        SpeechResult result;
        using (context.Services.Activity.BeginExternal())
        {
            try
            {
                result = await synthesizer.SynthesizeAsync(request, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // A backend is not supposed to throw; if one does, the call keeps going and the handler hears why.
                result = SpeechResult.Fail(SpeechFailure.SystemError, ex.Message);
            }
        }

        if (result.Audio is { } audio)
        {
            return (audio, null);
        }

        return (null, ToActionError(result.Failure ?? SpeechFailure.SystemError, result.Message, throttlingListed));
    }

    public static ActionError ToActionError(SpeechFailure failure, string? message, bool throttlingListed) => failure switch
    {
        SpeechFailure.InvalidParameter => ActionError.Invalid(message ?? "Invalid speech parameters."),
        SpeechFailure.AccessDenied => new(ActionError.AccessDenied, message ?? "Access denied to the text-to-speech service."),
        SpeechFailure.Throttled when throttlingListed => new(ActionError.ActionExecutionThrottled, message ?? "Text-to-speech requests are being throttled."),
        _ => new(ActionError.SystemException, message is null ? ActionError.System.ErrorMessage : $"{ActionError.System.ErrorMessage} {message}"),
    };
}
