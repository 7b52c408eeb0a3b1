using System.Collections.Frozen;
using System.Globalization;

namespace OpenSma.Speech.Voices;

/// <summary>
/// Maps a Polly voice to an espeak-ng voice: the espeak-ng language closest to the Polly language,
/// and a variant of the Polly voice's gender (f1-f5, m1-m7). Voices of one language and gender get
/// different variants in table order, so Joanna and Salli do not sound alike.
/// </summary>
internal static class EspeakVoices
{
    private const int FemaleVariants = 5;
    private const int MaleVariants = 7;

    // espeak-ng 1.51 has no voice for some regional variants; the nearest one speaks for them.
    private static readonly FrozenDictionary<string, string> Languages = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["en-US"] = "en-us", ["en-GB"] = "en-gb", ["en-AU"] = "en-gb", ["en-IN"] = "en-gb", ["en-GB-WLS"] = "en-gb-x-gbcwmd",
        ["en-NZ"] = "en-gb", ["en-ZA"] = "en-gb", ["en-IE"] = "en-gb",
        ["es-ES"] = "es", ["es-MX"] = "es-419", ["es-US"] = "es-419",
        ["fr-FR"] = "fr-fr", ["fr-CA"] = "fr-fr", ["fr-BE"] = "fr-be",
        ["de-DE"] = "de", ["de-AT"] = "de", ["de-CH"] = "de",
        ["it-IT"] = "it", ["pt-BR"] = "pt-br", ["pt-PT"] = "pt",
        ["ja-JP"] = "ja", ["ko-KR"] = "ko", ["cmn-CN"] = "cmn", ["yue-CN"] = "yue",
        ["arb"] = "ar", ["ar-AE"] = "ar", ["hi-IN"] = "hi",
        ["nl-NL"] = "nl", ["nl-BE"] = "nl", ["da-DK"] = "da", ["nb-NO"] = "nb", ["sv-SE"] = "sv", ["fi-FI"] = "fi",
        ["is-IS"] = "is", ["pl-PL"] = "pl", ["cs-CZ"] = "cs", ["ro-RO"] = "ro", ["ru-RU"] = "ru", ["tr-TR"] = "tr",
        ["cy-GB"] = "cy", ["ca-ES"] = "ca",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> Variants = AssignVariants();

    /// <summary>The espeak-ng language for a Polly language code, or null when there is none.</summary>
    public static string? Language(string pollyLanguageCode) => Languages.GetValueOrDefault(pollyLanguageCode);

    /// <summary>The espeak-ng <c>-v</c> value: language plus variant, e.g. <c>en-us+f2</c>.</summary>
    public static string For(PollyVoice voice, string languageCode) =>
        $"{Language(languageCode)}+{Variants[voice.Id]}";

    private static FrozenDictionary<string, string> AssignVariants()
    {
        var next = new Dictionary<(string, VoiceGender), int>();
        var variants = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var voice in PollyVoices.All)
        {
            var key = (voice.LanguageCode, voice.Gender);
            var index = next.GetValueOrDefault(key);
            next[key] = index + 1;
            variants[voice.Id] = voice.Gender == VoiceGender.Female
                ? "f" + ((index % FemaleVariants) + 1).ToString(CultureInfo.InvariantCulture)
                : "m" + ((index % MaleVariants) + 1).ToString(CultureInfo.InvariantCulture);
        }

        return variants.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
