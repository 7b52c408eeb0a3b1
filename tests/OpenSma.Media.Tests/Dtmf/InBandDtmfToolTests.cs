using System.Globalization;
using OpenSma.Media.Audio;
using OpenSma.Media.Tests.TestSupport;
using Xunit.Abstractions;

namespace OpenSma.Media.Tests.Dtmf;

/// <summary>
/// The in-band detector against real-world audio: speech synthesized by espeak-ng must produce no
/// digits, DTMF made by sox must all be found, and multimon-ng (a reference decoder) is run on the
/// same audio for comparison.
/// </summary>
public sealed class InBandDtmfToolTests(ITestOutputHelper output)
{
    private const string AllDigits = "0123456789*#ABCD";

    // Varied voices, pitches and rates; the texts include digits, sibilants, long vowels and song-like pitch.
    private static readonly (string Voice, int Pitch, int Speed, string Text)[] Speech =
    [
        ("en-us", 50, 170, "Thank you for calling. Please enter your account number, followed by the pound key. For billing, press one. For support, press two."),
        ("en-gb", 20, 140, "One two three four five six seven eight nine zero. Star. Hash. Oh, eleven, twelve, nineteen, ninety-nine."),
        ("en-us", 90, 220, "Hello? Hello! Can you hear me? Yes, I would like to speak to somebody about my order, please. Seriously, right now."),
        ("de", 60, 160, "Bitte geben Sie Ihre Kundennummer ein und bestätigen Sie mit der Rautetaste. Vielen Dank für Ihren Anruf."),
        ("fr-fr", 75, 150, "Bonjour, veuillez patienter, un conseiller va prendre votre appel. Tapez étoile pour revenir au menu précédent."),
        ("es", 35, 190, "Para español, oprima el número nueve. Gracias por su paciencia; su llamada es muy importante para nosotros."),
        ("it", 99, 120, "Aaaaaah, oooooh, eeeeeh. Mmmmmm. La la la la la, cantando sotto la pioggia."),
        ("cmn", 70, 150, "你好，请输入您的账号，然后按井号键。谢谢。"),
        ("en-us+f3", 99, 90, "Ooooh, welcome, welcome! Ding dong, ding dong. Beep beep. Hmmmmm, yes, exactly, precisely."),
        ("pt-br", 80, 200, "Disque o número do ramal desejado ou aguarde na linha para ser atendido pela telefonista."),
    ];

    private static PcmAudio SpeechAudio(ExternalTool.Scratch scratch, int index)
    {
        var (voice, pitch, speed, text) = Speech[index];
        var path = scratch.File($"speech{index}.wav");
        ExternalTool.Run("espeak-ng", "-v", voice, "-p", pitch.ToString(CultureInfo.InvariantCulture), "-s", speed.ToString(CultureInfo.InvariantCulture), "-w", path, text);
        var result = WavReader.Decode(File.ReadAllBytes(path));
        Assert.Null(result.Error);
        return result.Audio!;
    }

    private static string MultimonDigits(ExternalTool.Scratch scratch, PcmAudio audio)
    {
        var wav = scratch.File("for-multimon.wav");
        var raw = scratch.File("for-multimon.raw");
        File.WriteAllBytes(wav, WavWriter.WriteMono(audio.Samples.Span));
        ExternalTool.Run("sox", wav, "-t", "raw", "-r", "22050", "-e", "signed-integer", "-b", "16", "-c", "1", raw);
        var text = ExternalTool.Run("multimon-ng", "-q", "-t", "raw", "-a", "DTMF", raw);
        return string.Concat(text.Split('\n')
            .Where(line => line.StartsWith("DTMF: ", StringComparison.Ordinal))
            .Select(line => line[6..].Trim()));
    }

    private static PcmAudio SoxDtmf(ExternalTool.Scratch scratch, string digits, int rate, double toneSeconds, double gapSeconds, double volume)
    {
        var parts = new List<PcmAudio>();
        var index = 0;
        foreach (var digit in digits)
        {
            var (low, high) = ToneGenerator.DtmfFrequencies(digit);
            var path = scratch.File($"dtmf{index++}.wav");
            ExternalTool.Run(
                "sox", "-n", "-r", rate.ToString(CultureInfo.InvariantCulture), "-c", "1", "-b", "16", path,
                "synth", toneSeconds.ToString(CultureInfo.InvariantCulture),
                "sine", low.ToString(CultureInfo.InvariantCulture), "sine", high.ToString(CultureInfo.InvariantCulture),
                "channels", "1", "vol", volume.ToString(CultureInfo.InvariantCulture),
                "pad", "0", gapSeconds.ToString(CultureInfo.InvariantCulture));
            parts.Add(WavReader.Decode(File.ReadAllBytes(path)).Audio!);
        }

        return PcmAudio.Concat([.. parts]);
    }

    [Fact]
    public void Detector_EspeakSpeech_ProducesNoDigits()
    {
        using var scratch = new ExternalTool.Scratch();
        var totalSeconds = 0.0;
        for (var i = 0; i < Speech.Length; i++)
        {
            var audio = SpeechAudio(scratch, i);
            totalSeconds += audio.Duration.TotalSeconds;

            // Also at +6 dB and -12 dB: level changes must not create digits.
            foreach (var gain in new[] { 1.0, 2.0, 0.25 })
            {
                var scaled = audio.Samples.ToArray().Select(s => (short)Math.Clamp(s * gain, short.MinValue, short.MaxValue)).ToArray();
                var ours = InBandDtmfDetectorTests.Detect(scaled);
                Assert.True(ours.Length == 0, $"speech {i} ({Speech[i].Voice}) at gain {gain} gave false digits '{ours}'");
            }

            output.WriteLine($"speech {i} ({Speech[i].Voice}, {audio.Duration.TotalSeconds:F1} s): ours '', multimon-ng '{MultimonDigits(scratch, audio)}'");
        }

        Assert.True(totalSeconds > 40, $"only {totalSeconds:F1} s of speech was tested");
    }

    [Theory]
    [InlineData(8000, 0.1, 0.1, 0.5)]
    [InlineData(44100, 0.05, 0.05, 0.5)]
    [InlineData(16000, 0.2, 0.1, 0.05)]
    public void Detector_SoxDtmf_FindsEveryDigitLikeMultimon(int rate, double toneSeconds, double gapSeconds, double volume)
    {
        using var scratch = new ExternalTool.Scratch();
        var audio = SoxDtmf(scratch, AllDigits, rate, toneSeconds, gapSeconds, volume);

        var ours = InBandDtmfDetectorTests.Detect(audio.Samples.Span);
        var reference = MultimonDigits(scratch, audio);
        output.WriteLine($"ours '{ours}', multimon-ng '{reference}'");

        Assert.Equal(AllDigits, ours);
        Assert.Equal(AllDigits, reference);
    }

    [Fact]
    public void Detector_DtmfOverSpeech_FindsEveryDigit()
    {
        using var scratch = new ExternalTool.Scratch();
        var speech = SpeechAudio(scratch, 0).Samples.ToArray();
        var digits = "5551234#";
        var mixed = (short[])speech.Clone();
        for (var i = 0; i < digits.Length; i++)
        {
            var tone = ToneGenerator.Dtmf(digits[i], TimeSpan.FromMilliseconds(80)).Samples.Span;
            var start = 4000 + (i * 3200);
            for (var j = 0; j < tone.Length; j++)
            {
                mixed[start + j] = (short)Math.Clamp(mixed[start + j] + tone[j], short.MinValue, short.MaxValue);
            }
        }

        var audio = new PcmAudio(mixed);
        var ours = InBandDtmfDetectorTests.Detect(audio.Samples.Span);
        output.WriteLine($"ours '{ours}', multimon-ng '{MultimonDigits(scratch, audio)}'");

        Assert.Equal(digits, ours);
    }
}
