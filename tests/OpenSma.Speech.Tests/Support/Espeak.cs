using System.Diagnostics;
using OpenSma.Engine.Speech;
using OpenSma.Media.Audio;
using OpenSma.Speech.Espeak;

namespace OpenSma.Speech.Tests.Support;

/// <summary>Tests that speak need the espeak-ng package; without it they fail and say how to get it.</summary>
internal static class Espeak
{
    private static readonly Lazy<string?> Missing = new(Probe);

    public static EspeakSynthesizer Synthesizer()
    {
        Assert.True(Missing.Value is null, Missing.Value);
        return new EspeakSynthesizer();
    }

    public static async Task<PcmAudio> SpeakAsync(ISpeechSynthesizer synthesizer, string text, SpeechTextType type = SpeechTextType.Text, string voice = "Joanna")
    {
        var result = await synthesizer.SynthesizeAsync(new SpeechRequest(text, type, SpeechEngine.Standard, null, voice), default);
        Assert.True(result.IsSuccess, $"synthesis failed: {result.Failure} {result.Message}");
        return result.Audio!;
    }

    private static string? Probe()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("espeak-ng", "--version") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            process.WaitForExit(10_000);
            return process.ExitCode == 0 ? null : $"espeak-ng --version exited with {process.ExitCode}";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "espeak-ng is not installed: run scripts/install-deps (Debian package espeak-ng) before these tests";
        }
    }
}
