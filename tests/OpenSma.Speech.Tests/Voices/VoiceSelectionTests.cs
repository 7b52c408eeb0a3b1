using OpenSma.Engine.Speech;
using OpenSma.Speech.Voices;

namespace OpenSma.Speech.Tests.Voices;

public sealed class VoiceSelectionTests
{
    private static SpeechRequest Request(string voice, SpeechEngine engine = SpeechEngine.Standard, string? language = null) =>
        new("Hello", SpeechTextType.Text, engine, language, voice);

    [Theory]
    [InlineData("Joanna", "en-us+f")]
    [InlineData("Matthew", "en-us+m")]
    [InlineData("Amy", "en-gb+f")]
    [InlineData("Brian", "en-gb+m")]
    [InlineData("Lucia", "es+f")]
    [InlineData("Miguel", "es-419+m")]
    [InlineData("Lea", "fr-fr+f")]
    [InlineData("Hans", "de+m")]
    [InlineData("Mizuki", "ja+f")]
    [InlineData("Zhiyu", "cmn+f")]
    [InlineData("Zeina", "ar+f")]
    [InlineData("Maxim", "ru+m")]
    [InlineData("Ricardo", "pt-br+m")]
    public void Select_KnownVoice_EspeakVoiceOfTheSameLanguageAndGender(string voiceId, string expectedPrefix)
    {
        var (espeak, _, error) = VoiceSelection.Select(Request(voiceId));
        Assert.Null(error);
        Assert.StartsWith(expectedPrefix, espeak, StringComparison.Ordinal);
    }

    [Fact]
    public void Select_EveryTableVoice_HasAnEspeakLanguageAndItsGender()
    {
        foreach (var voice in PollyVoices.All)
        {
            var engine = (voice.Engines & VoiceEngines.Standard) != 0 ? SpeechEngine.Standard : SpeechEngine.Neural;
            var (espeak, _, error) = VoiceSelection.Select(Request(voice.Id, engine));
            Assert.True(error is null, $"{voice.Id}: {error}");
            Assert.NotNull(EspeakVoices.Language(voice.LanguageCode));
            Assert.Contains(voice.Gender == VoiceGender.Female ? "+f" : "+m", espeak, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Select_TwoVoicesOfOneLanguageAndGender_DifferentVariants()
    {
        Assert.NotEqual(VoiceSelection.Select(Request("Joanna")).EspeakVoice, VoiceSelection.Select(Request("Salli")).EspeakVoice);
        Assert.NotEqual(VoiceSelection.Select(Request("Joey")).EspeakVoice, VoiceSelection.Select(Request("Matthew")).EspeakVoice);
    }

    [Theory]
    [InlineData("joanna")]
    [InlineData("Bob")]
    [InlineData("Joanna ")]
    public void Select_UnknownOrMiscasedVoice_VoiceIdInvalid(string voiceId)
    {
        Assert.Equal("The VoiceId parameter is invalid.", VoiceSelection.Select(Request(voiceId)).Error);
    }

    [Theory]
    [InlineData("Danielle")]
    [InlineData("Kevin")]
    [InlineData("Olivia")]
    public void Select_NeuralOnlyVoiceOnStandard_EngineInvalid(string voiceId)
    {
        Assert.Equal("The Engine parameter is invalid.", VoiceSelection.Select(Request(voiceId)).Error);
        Assert.Null(VoiceSelection.Select(Request(voiceId, SpeechEngine.Neural)).Error);
    }

    [Fact]
    public void Select_StandardOnlyVoiceOnNeural_EngineInvalid()
    {
        Assert.Equal("The Engine parameter is invalid.", VoiceSelection.Select(Request("Celine", SpeechEngine.Neural)).Error);
    }

    [Theory]
    [InlineData("xx-XX")]
    [InlineData("en-us")]
    [InlineData("english")]
    public void Select_UnknownLanguageCode_LanguageCodeInvalid(string language)
    {
        Assert.Equal("The LanguageCode parameter is invalid.", VoiceSelection.Select(Request("Joanna", language: language)).Error);
    }

    [Fact]
    public void Select_BilingualVoice_LanguageCodePicksTheLanguage()
    {
        Assert.StartsWith("en-gb+f", VoiceSelection.Select(Request("Aditi")).EspeakVoice, StringComparison.Ordinal);
        var hindi = VoiceSelection.Select(Request("Aditi", language: "hi-IN"));
        Assert.StartsWith("hi+f", hindi.EspeakVoice, StringComparison.Ordinal);
        Assert.Equal("hi-IN", hindi.LanguageCode);
    }

    [Fact]
    public void Select_MonolingualVoiceWithAnotherValidLanguage_SpeaksItsOwnLanguage()
    {
        var result = VoiceSelection.Select(Request("Joanna", language: "de-DE"));
        Assert.Null(result.Error);
        Assert.Equal("en-US", result.LanguageCode);
    }
}
