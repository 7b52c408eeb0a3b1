namespace OpenSma.Speech.Ssml;

/// <summary>Outcome of parsing SSML: exactly one of <see cref="Script"/> and <see cref="Error"/> is set.</summary>
internal sealed record SsmlParseResult(SpeechScript? Script, string? Error)
{
    public static SsmlParseResult Success(SpeechScript script) => new(script, null);

    public static SsmlParseResult Failure(string error) => new(null, error);
}
