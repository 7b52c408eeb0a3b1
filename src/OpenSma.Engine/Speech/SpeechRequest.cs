namespace OpenSma.Engine.Speech;

/// <summary>Polly's <c>TextType</c>: plain text or SSML.</summary>
public enum SpeechTextType
{
    Text,
    Ssml,
}

/// <summary>Polly's <c>Engine</c>.</summary>
public enum SpeechEngine
{
    Standard,
    Neural,
}

/// <summary>
/// One synthesis, with the action's defaults already applied (Engine standard, TextType text,
/// VoiceId Joanna). <see cref="LanguageCode"/> stays null unless the handler gave one: Polly only
/// needs it for bilingual voices.
/// </summary>
public sealed record SpeechRequest(string Text, SpeechTextType TextType, SpeechEngine Engine, string? LanguageCode, string VoiceId)
{
    public const string DefaultVoiceId = "Joanna";
}
