using System.Globalization;
using OpenSma.Media.Audio;
using OpenSma.Media.Filters;
using OpenSma.Media.Tests.TestSupport;
using Xunit.Abstractions;

namespace OpenSma.Media.Tests.Filters;

/// <summary>
/// VoiceFocus on real audio: espeak-ng speech with noise from sox mixed in by sox. The noise heard
/// in the pauses must drop by a stated amount, and the speech must keep its energy.
/// </summary>
public sealed class NoiseSuppressorToolTests(ITestOutputHelper output)
{
    private const int Frame = PcmAudio.SamplesPerFrame;

    // Speech frames: the clean speech is within 25 dB of its loudest frame. Pauses: quieter than -70 dBFS.
    private const double SpeechBelowPeakDb = 25;
    private const double PauseDbfs = -70;

    private const string Text = "Thank you for calling. Please say or enter your account number, then press the pound key. " +
        "If you are calling about an existing order, stay on the line and an agent will be with you shortly.";

    [Theory]
    [InlineData("whitenoise", 0.02)]
    [InlineData("whitenoise", 0.08)]
    [InlineData("pinknoise", 0.1)]
    [InlineData("brownnoise", 0.08)]
    public void Process_SpeechWithSoxNoise_NoiseDropsAndSpeechKeepsItsEnergy(string noise, double volume)
    {
        using var scratch = new ExternalTool.Scratch();
        var raw = scratch.File("speech-raw.wav");
        var speechPath = scratch.File("speech.wav");
        var noisePath = scratch.File("noise.wav");
        var mixPath = scratch.File("mix.wav");

        // 1.5 s of noise alone before the speech (the filter learns it) and 1 s after.
        ExternalTool.Run("espeak-ng", "-v", "en-us", "-s", "160", "-w", raw, Text);
        ExternalTool.Run("sox", raw, "-r", "8000", "-b", "16", "-c", "1", speechPath, "pad", "1.5", "1");
        var clean = Decode(speechPath);
        var seconds = (clean.Length / 8000.0).ToString("F3", CultureInfo.InvariantCulture);
        ExternalTool.Run("sox", "-R", "-n", "-r", "8000", "-b", "16", "-c", "1", noisePath, "synth", seconds, noise, "vol", volume.ToString(CultureInfo.InvariantCulture));
        ExternalTool.Run("sox", "-m", "-v", "1", speechPath, "-v", "1", noisePath, "-b", "16", mixPath);
        var noisy = Decode(mixPath);
        Assert.InRange(noisy.Length, clean.Length - 1, clean.Length + 1);

        var filter = new NoiseSuppressor();
        var filtered = noisy.ToArray();
        for (var offset = 0; offset + Frame <= filtered.Length; offset += Frame)
        {
            filter.Process(filtered.AsSpan(offset, Frame));
        }

        // Classify frames by the clean speech; compare each with the filter output delayed by its latency.
        var latency = filter.Latency;
        var frames = (Math.Min(clean.Length, noisy.Length) - latency) / Frame;
        var peak = 0.0;
        for (var f = 0; f < frames; f++)
        {
            peak = Math.Max(peak, Signal.Rms(clean.AsSpan(f * Frame, Frame)));
        }

        double speechClean = 0, speechNoisy = 0, speechOut = 0, pauseNoisy = 0, pauseOut = 0;
        int speechFrames = 0, pauseFrames = 0;
        for (var f = 50; f < frames; f++)
        {
            // From 1 s on: the first second is the filter learning the noise.
            var level = Signal.Rms(clean.AsSpan(f * Frame, Frame));
            var inEnergy = Energy(noisy.AsSpan(f * Frame, Frame));
            var outEnergy = Energy(filtered.AsSpan((f * Frame) + latency, Frame));
            if (20 * Math.Log10(Math.Max(level, 1e-9) / peak) > -SpeechBelowPeakDb)
            {
                speechClean += Energy(clean.AsSpan(f * Frame, Frame));
                speechNoisy += inEnergy;
                speechOut += outEnergy;
                speechFrames++;
            }
            else if (20 * Math.Log10(Math.Max(level, 1e-9) / 32768) < PauseDbfs)
            {
                pauseNoisy += inEnergy;
                pauseOut += outEnergy;
                pauseFrames++;
            }
        }

        var noiseDrop = 10 * Math.Log10(pauseOut / pauseNoisy);
        var speechChange = 10 * Math.Log10(speechOut / speechClean);
        var snrIn = 10 * Math.Log10(speechClean / (speechNoisy - speechClean));
        output.WriteLine($"{noise} vol {volume}: SNR in speech frames {snrIn:F1} dB; noise in pauses {noiseDrop:F1} dB ({pauseFrames} frames); " +
            $"speech energy vs clean {speechChange:F2} dB, noisy input vs clean {10 * Math.Log10(speechNoisy / speechClean):F2} dB ({speechFrames} frames)");

        Assert.True(pauseFrames > 50 && speechFrames > 100, "the sample needs both pauses and speech");
        Assert.True(noiseDrop < -10, $"noise in pauses changed by {noiseDrop:F1} dB");
        Assert.InRange(speechChange, -1.5, 1.5);
    }

    private static short[] Decode(string path)
    {
        var result = WavReader.Decode(File.ReadAllBytes(path));
        Assert.Null(result.Error);
        return result.Audio!.Samples.ToArray();
    }

    private static double Energy(ReadOnlySpan<short> samples)
    {
        double sum = 0;
        foreach (var s in samples)
        {
            sum += (double)s * s;
        }

        return sum;
    }
}
