using System.Collections.Frozen;

namespace OpenSma.Speech.Voices;

/// <summary>
/// The Amazon Polly standard and neural voices (DescribeVoices, 2024), by VoiceId. Voice ids are
/// case-sensitive, as in Polly.
/// </summary>
internal static class PollyVoices
{
    private const VoiceGender F = VoiceGender.Female;
    private const VoiceGender M = VoiceGender.Male;
    private const VoiceEngines S = VoiceEngines.Standard;
    private const VoiceEngines N = VoiceEngines.Neural;
    private const VoiceEngines SN = VoiceEngines.Both;

    public static IReadOnlyList<PollyVoice> All { get; } =
    [
        // English (US)
        new("Danielle", "en-US", F, N), new("Gregory", "en-US", M, N), new("Ivy", "en-US", F, SN),
        new("Joanna", "en-US", F, SN), new("Kendra", "en-US", F, SN), new("Kimberly", "en-US", F, SN),
        new("Salli", "en-US", F, SN), new("Joey", "en-US", M, SN), new("Justin", "en-US", M, SN),
        new("Kevin", "en-US", M, N), new("Matthew", "en-US", M, SN), new("Ruth", "en-US", F, N),
        new("Stephen", "en-US", M, N),
        // English (other)
        new("Amy", "en-GB", F, SN), new("Emma", "en-GB", F, SN), new("Brian", "en-GB", M, SN), new("Arthur", "en-GB", M, N),
        new("Nicole", "en-AU", F, S), new("Olivia", "en-AU", F, N), new("Russell", "en-AU", M, S),
        new("Raveena", "en-IN", F, S), new("Aditi", "en-IN", F, S, "hi-IN"), new("Kajal", "en-IN", F, N, "hi-IN"),
        new("Geraint", "en-GB-WLS", M, S), new("Aria", "en-NZ", F, N), new("Ayanda", "en-ZA", F, N), new("Niamh", "en-IE", F, N),
        // Spanish
        new("Conchita", "es-ES", F, S), new("Lucia", "es-ES", F, SN), new("Enrique", "es-ES", M, S), new("Sergio", "es-ES", M, N),
        new("Mia", "es-MX", F, SN), new("Andres", "es-MX", M, N),
        new("Lupe", "es-US", F, SN), new("Penelope", "es-US", F, S), new("Miguel", "es-US", M, S), new("Pedro", "es-US", M, N),
        // French
        new("Celine", "fr-FR", F, S), new("Lea", "fr-FR", F, SN), new("Mathieu", "fr-FR", M, S), new("Remi", "fr-FR", M, N),
        new("Chantal", "fr-CA", F, S), new("Gabrielle", "fr-CA", F, N), new("Liam", "fr-CA", M, N),
        new("Isabelle", "fr-BE", F, N),
        // German
        new("Marlene", "de-DE", F, S), new("Vicki", "de-DE", F, SN), new("Hans", "de-DE", M, S), new("Daniel", "de-DE", M, N),
        new("Hannelore", "de-AT", F, N), new("Sabrina", "de-CH", F, N),
        // Italian, Portuguese
        new("Carla", "it-IT", F, S), new("Bianca", "it-IT", F, SN), new("Giorgio", "it-IT", M, S), new("Adriano", "it-IT", M, N),
        new("Vitoria", "pt-BR", F, SN), new("Camila", "pt-BR", F, SN), new("Ricardo", "pt-BR", M, S), new("Thiago", "pt-BR", M, N),
        new("Ines", "pt-PT", F, SN), new("Cristiano", "pt-PT", M, S),
        // Asian languages
        new("Mizuki", "ja-JP", F, S), new("Takumi", "ja-JP", M, SN), new("Kazuha", "ja-JP", F, N), new("Tomoko", "ja-JP", F, N),
        new("Seoyeon", "ko-KR", F, SN), new("Zhiyu", "cmn-CN", F, SN), new("Hiujin", "yue-CN", F, N),
        // Arabic
        new("Zeina", "arb", F, S), new("Hala", "ar-AE", F, N), new("Zayd", "ar-AE", M, N),
        // Northern and eastern Europe
        new("Lotte", "nl-NL", F, S), new("Ruben", "nl-NL", M, S), new("Laura", "nl-NL", F, N), new("Lisa", "nl-BE", F, N),
        new("Naja", "da-DK", F, S), new("Mads", "da-DK", M, S), new("Sofie", "da-DK", F, N),
        new("Liv", "nb-NO", F, S), new("Ida", "nb-NO", F, N),
        new("Astrid", "sv-SE", F, S), new("Elin", "sv-SE", F, N),
        new("Suvi", "fi-FI", F, N),
        new("Dora", "is-IS", F, S), new("Karl", "is-IS", M, S),
        new("Ewa", "pl-PL", F, S), new("Maja", "pl-PL", F, S), new("Jacek", "pl-PL", M, S), new("Jan", "pl-PL", M, S), new("Ola", "pl-PL", F, N),
        new("Jitka", "cs-CZ", F, N),
        new("Carmen", "ro-RO", F, S),
        new("Tatyana", "ru-RU", F, S), new("Maxim", "ru-RU", M, S),
        new("Filiz", "tr-TR", F, S), new("Burcu", "tr-TR", F, N),
        new("Gwyneth", "cy-GB", F, S),
        new("Arlet", "ca-ES", F, N),
    ];

    private static readonly FrozenDictionary<string, PollyVoice> ById = All.ToFrozenDictionary(v => v.Id, StringComparer.Ordinal);

    /// <summary>Every language code some voice speaks: the values Polly accepts for LanguageCode.</summary>
    public static FrozenSet<string> LanguageCodes { get; } =
        All.Select(v => v.LanguageCode).Concat(All.Where(v => v.AdditionalLanguageCode is not null).Select(v => v.AdditionalLanguageCode!))
            .ToFrozenSet(StringComparer.Ordinal);

    public static bool TryGet(string voiceId, out PollyVoice voice) => ById.TryGetValue(voiceId, out voice!);
}
