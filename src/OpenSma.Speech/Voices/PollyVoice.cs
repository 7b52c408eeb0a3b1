namespace OpenSma.Speech.Voices;

internal enum VoiceGender
{
    Female,
    Male,
}

[Flags]
internal enum VoiceEngines
{
    Standard = 1,
    Neural = 2,
    Both = Standard | Neural,
}

/// <summary>
/// One Amazon Polly voice as DescribeVoices lists it: its language, any additional language a
/// bilingual voice speaks, gender and the engines it supports.
/// </summary>
internal sealed record PollyVoice(string Id, string LanguageCode, VoiceGender Gender, VoiceEngines Engines, string? AdditionalLanguageCode = null)
{
    public bool Speaks(string languageCode) =>
        languageCode == LanguageCode || languageCode == AdditionalLanguageCode;
}
