using OpenSma.Engine.Speech;
using OpenSma.Speech.Espeak;
using OpenSma.Speech.Tests.Support;

namespace OpenSma.Speech.Tests.Espeak;

public sealed class EspeakSynthesizerTests
{
    private const string Sentence = "Thank you for calling. Please enter your account number.";

    [Fact]
    public async Task Synthesize_KnownSentence_SecondsOfVoicedAudioAt8kHz()
    {
        var audio = await Support.Espeak.SpeakAsync(Support.Espeak.Synthesizer(), Sentence);
        Assert.InRange(audio.Duration.TotalSeconds, 2.0, 6.0);
        Assert.True(Signal.Rms(audio.Samples.Span) > 500, "speech has energy");
        Assert.True(Signal.VoicedShare(audio.Samples.Span) > 0.4, "most of it is voiced");
    }

    [Fact]
    public async Task Synthesize_SsmlBreak_AddsExactlyThatMuchSilence()
    {
        var synthesizer = Support.Espeak.Synthesizer();
        var plain = await Support.Espeak.SpeakAsync(synthesizer, "<speak>Hello there. Goodbye now.</speak>", SpeechTextType.Ssml);
        var split = await Support.Espeak.SpeakAsync(synthesizer, "<speak>Hello there. <break time=\"2s\"/> Goodbye now.</speak>", SpeechTextType.Ssml);
        var hello = await Support.Espeak.SpeakAsync(synthesizer, "Hello there.");
        var goodbye = await Support.Espeak.SpeakAsync(synthesizer, "Goodbye now.");

        Assert.Equal(hello.Length + 16000 + goodbye.Length, split.Length);
        Assert.True(split.Length > plain.Length + 12000);
        var gap = split.Samples.Span.Slice(hello.Length, 16000);
        Assert.Equal(0, Signal.Rms(gap));
    }

    [Fact]
    public async Task Synthesize_ProsodyRate_SlowIsLongerFastIsShorter()
    {
        var synthesizer = Support.Espeak.Synthesizer();
        var normal = await Support.Espeak.SpeakAsync(synthesizer, Sentence);
        var slow = await Support.Espeak.SpeakAsync(synthesizer, $"<speak><prosody rate=\"50%\">{Sentence}</prosody></speak>", SpeechTextType.Ssml);
        var fast = await Support.Espeak.SpeakAsync(synthesizer, $"<speak><prosody rate=\"200%\">{Sentence}</prosody></speak>", SpeechTextType.Ssml);
        Assert.True(slow.Length > normal.Length * 1.4, $"slow {slow.Duration} vs normal {normal.Duration}");
        Assert.True(fast.Length < normal.Length * 0.75, $"fast {fast.Duration} vs normal {normal.Duration}");
    }

    [Fact]
    public async Task Synthesize_ProsodyVolume_ChangesEnergyByTheGain()
    {
        var synthesizer = Support.Espeak.Synthesizer();
        var normal = await Support.Espeak.SpeakAsync(synthesizer, "<speak>Volume check one two three.</speak>", SpeechTextType.Ssml);
        var soft = await Support.Espeak.SpeakAsync(synthesizer, "<speak><prosody volume=\"-12dB\">Volume check one two three.</prosody></speak>", SpeechTextType.Ssml);
        var silent = await Support.Espeak.SpeakAsync(synthesizer, "<speak><prosody volume=\"silent\">Volume check one two three.</prosody></speak>", SpeechTextType.Ssml);

        Assert.Equal(normal.Length, soft.Length);
        var ratio = Signal.Rms(soft.Samples.Span) / Signal.Rms(normal.Samples.Span);
        Assert.InRange(ratio, 0.22, 0.28); // -12 dB is a factor of 0.251
        Assert.Equal(normal.Length, silent.Length);
        Assert.Equal(0, Signal.Rms(silent.Samples.Span));
    }

    [Fact]
    public async Task Synthesize_SayAsDigitsAndCharacters_LongerThanReadingTheNumberAsAWord()
    {
        var synthesizer = Support.Espeak.Synthesizer();
        var number = await Support.Espeak.SpeakAsync(synthesizer, "<speak>1234567</speak>", SpeechTextType.Ssml);
        var digits = await Support.Espeak.SpeakAsync(synthesizer, "<speak><say-as interpret-as=\"digits\">1234567</say-as></speak>", SpeechTextType.Ssml);
        var phone = await Support.Espeak.SpeakAsync(synthesizer, "<speak><say-as interpret-as=\"telephone\">123-4567</say-as></speak>", SpeechTextType.Ssml);
        var word = await Support.Espeak.SpeakAsync(synthesizer, "<speak>abc</speak>", SpeechTextType.Ssml);
        var spelled = await Support.Espeak.SpeakAsync(synthesizer, "<speak><say-as interpret-as=\"characters\">abc</say-as></speak>", SpeechTextType.Ssml);

        // "one million two hundred ..." vs "one two three four five six seven": both real speech, different readings.
        Assert.NotEqual(number.Length, digits.Length);
        Assert.True(phone.Length > digits.Length, "the group pause makes the phone number longer");
        Assert.True(spelled.Length > word.Length, "spelling a-b-c takes longer than the word");
    }

    [Fact]
    public async Task Synthesize_PlainTextWithMarkupCharacters_SpokenNotParsed()
    {
        var audio = await Support.Espeak.SpeakAsync(Support.Espeak.Synthesizer(), "Tom & Jerry <3 \"quotes\"");
        Assert.True(audio.Duration.TotalSeconds > 0.8);
    }

    [Theory]
    [InlineData("Lucia")]
    [InlineData("Hans")]
    [InlineData("Mizuki")]
    [InlineData("Zhiyu")]
    public async Task Synthesize_OtherLanguages_ProduceSpeech(string voice)
    {
        var audio = await Support.Espeak.SpeakAsync(Support.Espeak.Synthesizer(), "1 2 3", voice: voice);
        Assert.True(Signal.Rms(audio.Samples.Span) > 300);
    }

    [Fact]
    public async Task Synthesize_InvalidSsml_InvalidParameterWithReason()
    {
        var result = await Support.Espeak.Synthesizer().SynthesizeAsync(
            new SpeechRequest("<speak>Hello <foo/></speak>", SpeechTextType.Ssml, SpeechEngine.Standard, null, "Joanna"), default);
        Assert.Equal(SpeechFailure.InvalidParameter, result.Failure);
        Assert.Equal("Invalid SSML request: <foo> is not a supported SSML element", result.Message);
    }

    [Fact]
    public async Task Synthesize_UnknownVoice_InvalidParameter()
    {
        var result = await Support.Espeak.Synthesizer().SynthesizeAsync(
            new SpeechRequest("Hello", SpeechTextType.Text, SpeechEngine.Standard, null, "Nobody"), default);
        Assert.Equal(SpeechFailure.InvalidParameter, result.Failure);
        Assert.Equal("The VoiceId parameter is invalid.", result.Message);
    }

    [Fact]
    public async Task Synthesize_ExecutableMissing_SystemErrorThatSaysSo()
    {
        var synthesizer = new EspeakSynthesizer(new EspeakOptions { Executable = "/nonexistent/espeak-ng" });
        var result = await synthesizer.SynthesizeAsync(new SpeechRequest("Hello", SpeechTextType.Text, SpeechEngine.Standard, null, "Joanna"), default);
        Assert.Equal(SpeechFailure.SystemError, result.Failure);
        Assert.Contains("could not be started", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Synthesize_EmptySpeak_EmptyAudio()
    {
        var audio = await Support.Espeak.SpeakAsync(Support.Espeak.Synthesizer(), "<speak> </speak>", SpeechTextType.Ssml);
        Assert.Equal(0, audio.Length);
    }
}
