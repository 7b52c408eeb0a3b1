using OpenSma.Engine.Speech;

namespace OpenSma.Speech.Voices;

/// <summary>
/// Checks a request's VoiceId, LanguageCode and Engine against the Polly voice table, the way Polly
/// rejects them, and picks the espeak-ng voice. Messages follow the action's "The X parameter is
/// invalid." form (spec §7.13: InvalidActionParameter when Polly rejects the parameters).
/// </summary>
internal static class VoiceSelection
{
    public const string InvalidVoice = "The VoiceId parameter is invalid.";
    public const string InvalidLanguage = "The LanguageCode parameter is invalid.";
    public const string InvalidEngine = "The Engine parameter is invalid.";

    public static (string? EspeakVoice, string? LanguageCode, string? Error) Select(SpeechRequest request)
    {
        if (!PollyVoices.TryGet(request.VoiceId, out var voice))
        {
            return (null, null, InvalidVoice);
        }

        if (request.LanguageCode is { } code && !PollyVoices.LanguageCodes.Contains(code))
        {
            return (null, null, InvalidLanguage);
        }

        // LanguageCode only picks the language of a bilingual voice; other voices speak their own.
        var language = request.LanguageCode is { } requested && voice.Speaks(requested) ? requested : voice.LanguageCode;

        var engine = request.Engine == SpeechEngine.Neural ? VoiceEngines.Neural : VoiceEngines.Standard;
        if ((voice.Engines & engine) == 0)
        {
            return (null, null, InvalidEngine);
        }

        return (EspeakVoices.For(voice, language), language, null);
    }
}
