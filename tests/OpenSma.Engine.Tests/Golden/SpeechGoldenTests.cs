using System.Text.Json;
using OpenSma.Engine.Contracts;
using OpenSma.Engine.Tests.Support;
using OpenSma.Engine.Virtual;

namespace OpenSma.Engine.Tests.Golden;

/// <summary>
/// Success and failure shapes of Speak and SpeakAndGetDigits with a speech backend configured
/// (Golden/Speech/*.json; the files without a backend are in <see cref="GoldenScenarios"/>).
/// Regenerate like the others: OPENSMA_UPDATE_GOLDEN=1 dotnet test tests/OpenSma.Engine.Tests --filter "FullyQualifiedName~Golden".
/// </summary>
public sealed class SpeechGoldenTests
{
    private const string Digits =
        "{\"CallId\":\"{LEG-A}\",\"InputDigitsRegex\":\"^\\\\d{3}$\",\"SpeechParameters\":{\"Text\":\"Enter your three digit code.\",\"Engine\":\"neural\",\"VoiceId\":\"Joanna\"},\"FailureSpeechParameters\":{\"Text\":\"That code was not valid.\"},\"MinNumberOfDigits\":3,\"MaxNumberOfDigits\":3,\"Repeat\":2,\"RepeatDurationInMilliseconds\":3000}";

    public static TheoryData<string> Names => [.. Scenarios.Keys];

    private static Dictionary<string, Func<EngineHarness, Task<JsonElement>>> Scenarios { get; } = new(StringComparer.Ordinal)
    {
        ["Speech/Speak-success"] = h => GoldenScenarios.SingleAsync(
            h, A.Action("Speak", "{\"CallId\":\"{LEG-A}\",\"Text\":\"Welcome.\"}"), EventTypes.ActionSuccessful),
        ["Speech/Speak-failure-voice"] = h => GoldenScenarios.SingleAsync(
            h, A.Action("Speak", "{\"CallId\":\"{LEG-A}\",\"Text\":\"Welcome.\",\"VoiceId\":\"Nobody\"}"), EventTypes.ActionFailed),
        ["Speech/SpeakAndGetDigits-success"] = h => GoldenScenarios.SingleAsync(
            h, A.Action("SpeakAndGetDigits", Digits), EventTypes.ActionSuccessful,
            new DigitCue(TimeSpan.FromSeconds(1), '4'), new DigitCue(TimeSpan.FromSeconds(1.3), '2'), new DigitCue(TimeSpan.FromSeconds(1.6), '7')),
        ["Speech/SpeakAndGetDigits-failure"] = h => GoldenScenarios.SingleAsync(
            h, A.Action("SpeakAndGetDigits", Digits), EventTypes.ActionFailed,
            new DigitCue(TimeSpan.FromSeconds(1), '4')),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Event_RealCallWithSpeech_MatchesGoldenFile(string name)
    {
        await using var h = new EngineHarness(new EngineOptions { Speech = new ToneSynthesizer() });
        var captured = await Scenarios[name](h);
        var normalized = GoldenJson.Normalize(captured, GoldenJson.CollectIds(h.Handler.Events));
        GoldenJson.AssertMatches(name, normalized);
    }

    [Fact]
    public void GoldenFiles_EachSpeechFileHasAScenario()
    {
        var files = Directory.GetFiles(Path.Combine(GoldenJson.OutputDirectory, "Speech"), "*.json")
            .Select(f => "Speech/" + Path.GetFileNameWithoutExtension(f)).Order().ToList();
        Assert.Equal(Scenarios.Keys.Order(), files);
    }
}
