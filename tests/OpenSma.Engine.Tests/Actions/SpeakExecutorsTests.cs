using OpenSma.Engine.Contracts;
using OpenSma.Engine.Control;
using OpenSma.Engine.Speech;
using OpenSma.Engine.Tests.Support;
using OpenSma.Engine.Virtual;
using static OpenSma.Engine.Tests.Support.ScriptedHandler;

namespace OpenSma.Engine.Tests.Actions;

/// <summary>Speak and SpeakAndGetDigits on a configured speech backend (spec §7.13, §7.14).</summary>
public sealed class SpeakExecutorsTests
{
    private static string Speak(string parameters) => A.Action("Speak", "{\"CallId\":\"{LEG-A}\"," + parameters + "}");

    private static string SpeakAndGetDigits(string parameters) => A.Action("SpeakAndGetDigits", "{\"CallId\":\"{LEG-A}\"," + parameters + "}");

    private static async Task<(EngineHarness H, ToneSynthesizer Speech, VirtualLeg Leg)> RunAsync(string action, params VirtualCue[] cues)
    {
        var speech = new ToneSynthesizer();
        var h = new EngineHarness(new EngineOptions { Speech = speech });
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall
            ? ActionList(Golden.GoldenScenarios.Fill(action, e))
            : ActionList(A.Hangup());
        var (tx, leg) = h.StartInbound(cues);
        await h.RunToEndAsync(tx);
        return (h, speech, leg);
    }

    [Fact]
    public async Task Speak_Text_LegHearsTheSpeech_EchoShowsDefaults()
    {
        var (h, speech, leg) = await RunAsync(Speak("\"Text\":\"Welcome to OpenSMA.\""));
        await using var _ = h;

        var request = Assert.Single(speech.Requests);
        Assert.Equal(new SpeechRequest("Welcome to OpenSMA.", SpeechTextType.Text, SpeechEngine.Standard, null, "Joanna"), request);
        var e = h.Handler.Events[1];
        Assert.Equal(EventTypes.ActionSuccessful, e.Type());
        Assert.Equal("standard", e.Str("ActionData.Parameters.Engine"));
        Assert.Equal("text", e.Str("ActionData.Parameters.TextType"));
        Assert.Equal("Joanna", e.Str("ActionData.Parameters.VoiceId"));
        Assert.Null(e.Str("ActionData.Parameters.LanguageCode"));
        var heard = leg.Heard().Samples.Span;
        var spoken = (int)(ToneSynthesizer.LengthOf("Welcome to OpenSMA.").TotalSeconds * 8000);
        Assert.InRange(heard.Length, spoken, spoken + 400);
        Assert.True(Signal.Rms(heard[..spoken]) > 1000);
    }

    [Fact]
    public async Task Speak_AllParameters_PassedToTheBackendAndEchoedAsSent()
    {
        var (h, speech, _) = await RunAsync(Speak("\"Text\":\"<speak>Hi</speak>\",\"TextType\":\"ssml\",\"Engine\":\"neural\",\"LanguageCode\":\"en-IN\",\"VoiceId\":\"Kajal\""));
        await using var _ = h;

        Assert.Equal(new SpeechRequest("<speak>Hi</speak>", SpeechTextType.Ssml, SpeechEngine.Neural, "en-IN", "Kajal"), Assert.Single(speech.Requests));
        var e = h.Handler.Events[1];
        Assert.Equal(EventTypes.ActionSuccessful, e.Type());
        Assert.Equal("ssml", e.Str("ActionData.Parameters.TextType"));
        Assert.Equal("en-IN", e.Str("ActionData.Parameters.LanguageCode"));
        Assert.Equal("Kajal", e.Str("ActionData.Parameters.VoiceId"));
    }

    [Theory]
    [InlineData("Nobody", ActionError.InvalidActionParameter, "The VoiceId parameter is invalid.")]
    [InlineData("AccessDenied", ActionError.AccessDenied, "AccessDenied from the backend")]
    [InlineData("Throttled", ActionError.ActionExecutionThrottled, "Throttled from the backend")]
    [InlineData("SystemError", ActionError.SystemException, "System error while running action. SystemError from the backend")]
    public async Task Speak_BackendFails_DocumentedErrorType(string voice, string errorType, string message)
    {
        var (h, _, leg) = await RunAsync(Speak($"\"Text\":\"Hello\",\"VoiceId\":\"{voice}\""));
        await using var _ = h;

        var e = h.Handler.Events[1];
        Assert.Equal(EventTypes.ActionFailed, e.Type());
        Assert.Equal(errorType, e.Str("ActionData.ErrorType"));
        Assert.Equal(message, e.Str("ActionData.ErrorMessage"));
        Assert.Equal(0, leg.Heard().Length);
    }

    [Theory]
    [InlineData("\"Text\":\"Hi\",\"Engine\":\"generative\"", "The Engine parameter is invalid.")]
    [InlineData("\"Text\":\"Hi\",\"TextType\":\"SSML\"", "The TextType parameter is invalid.")]
    public async Task Speak_InvalidValue_FailsBeforeSynthesis(string parameters, string message)
    {
        var (h, speech, _) = await RunAsync(Speak(parameters));
        await using var _ = h;

        Assert.Empty(speech.Requests);
        Assert.Equal(ActionError.InvalidActionParameter, h.Handler.Events[1].Str("ActionData.ErrorType"));
        Assert.Equal(message, h.Handler.Events[1].Str("ActionData.ErrorMessage"));
    }

    [Fact]
    public async Task Speak_UpdateDuringSpeech_Interrupted()
    {
        var speech = new ToneSynthesizer();
        await using var h = new EngineHarness(new EngineOptions { Speech = speech });
        var text = new string('a', 200); // 10 s of speech
        h.Handler.Reply = e => e.Type() switch
        {
            EventTypes.NewInboundCall => ActionList(Golden.GoldenScenarios.Fill(Speak($"\"Text\":\"{text}\""), e)),
            EventTypes.CallUpdateRequested => ActionList(A.Hangup()),
            _ => null,
        };
        var (tx, leg) = h.StartInbound();
        await h.RunForAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(CallControlStatus.Accepted, (await h.Engine.UpdateCallAsync("sma-1", tx.TransactionId, new Dictionary<string, string>(), default)).Status);
        await h.RunToEndAsync(tx);

        Assert.Contains(h.Handler.Events, e => e.Type() == EventTypes.ActionInterrupted && e.Str("ActionData.Type") == "Speak");
        Assert.True(leg.Heard().Duration < TimeSpan.FromSeconds(4), "speech stopped at the update");
    }

    [Fact]
    public async Task SpeakAndGetDigits_DigitsDuringSpeech_BargeInAndCollected()
    {
        var prompt = new string('p', 80); // 4 s
        var (h, speech, leg) = await RunAsync(
            SpeakAndGetDigits($"\"SpeechParameters\":{{\"Text\":\"{prompt}\"}},\"FailureSpeechParameters\":{{\"Text\":\"again\"}},\"MaxNumberOfDigits\":4,\"RepeatDurationInMilliseconds\":5000"),
            new DigitCue(TimeSpan.FromSeconds(1), '1'),
            new DigitCue(TimeSpan.FromSeconds(1.4), '2'),
            new DigitCue(TimeSpan.FromSeconds(1.8), '3'),
            new DigitCue(TimeSpan.FromSeconds(2.2), '#'));
        await using var _ = h;

        var e = h.Handler.Events[1];
        Assert.Equal(EventTypes.ActionSuccessful, e.Type());
        Assert.Equal("123", e.Str("ActionData.ReceivedDigits"));
        Assert.Equal(2, speech.Requests.Count);
        var heard = leg.Heard().Samples.Span;
        Assert.True(Signal.Rms(heard[(int)(1.1 * 8000)..(int)(2 * 8000)]) < 50, "the speech stopped at the first digit");
    }

    [Fact]
    public async Task SpeakAndGetDigits_BadEntry_SpeaksFailurePrompt_ThenSucceeds()
    {
        var (h, _, leg) = await RunAsync(
            SpeakAndGetDigits("\"InputDigitsRegex\":\"^[1-4]$\",\"SpeechParameters\":{\"Text\":\"Pick one to four\"},\"FailureSpeechParameters\":{\"Text\":\"That is not valid\"},\"MaxNumberOfDigits\":1,\"Repeat\":2,\"RepeatDurationInMilliseconds\":3000"),
            new DigitCue(TimeSpan.FromSeconds(1), '9'),
            new DigitCue(TimeSpan.FromSeconds(5), '3'));
        await using var _ = h;

        var e = h.Handler.Events[1];
        Assert.Equal(EventTypes.ActionSuccessful, e.Type());
        Assert.Equal("3", e.Str("ActionData.ReceivedDigits"));
        // Prompt cut at 1 s by the '9', then the 0.85 s failure prompt, then the prompt again, cut at 5 s by the '3'.
        var heard = leg.Heard().Samples.Span;
        Assert.True(Signal.Rms(heard[(int)(1.05 * 8000)..(int)(1.8 * 8000)]) > 1000, "the failure prompt followed the bad entry");
    }

    [Fact]
    public async Task SpeakAndGetDigits_NoInputOnAnyAttempt_FailsAfterRepeatAttempts()
    {
        var (h, _, leg) = await RunAsync(
            SpeakAndGetDigits("\"SpeechParameters\":{\"Text\":\"Enter code\"},\"FailureSpeechParameters\":{\"Text\":\"Try again\"},\"MinNumberOfDigits\":1,\"Repeat\":3,\"RepeatDurationInMilliseconds\":1000"));
        await using var _ = h;

        var e = h.Handler.Events[1];
        Assert.Equal(EventTypes.ActionFailed, e.Type());
        Assert.Equal(ActionError.DigitsNotReceived, e.Str("ActionData.ErrorType"));
        // 3 prompts (0.5 s) + 3 waits (1 s) + 2 failure prompts (0.45 s).
        Assert.InRange(leg.Heard().Duration.TotalSeconds, 5.3, 5.6);
    }

    [Fact]
    public async Task SpeakAndGetDigits_FailureSpeech_InheritsUnsetSettings_EchoShowsThem()
    {
        var (h, speech, _) = await RunAsync(
            SpeakAndGetDigits("\"SpeechParameters\":{\"Text\":\"Code?\",\"Engine\":\"neural\",\"VoiceId\":\"Matthew\",\"LanguageCode\":\"en-US\"},\"FailureSpeechParameters\":{\"Text\":\"Again\",\"VoiceId\":\"Joanna\"},\"RepeatDurationInMilliseconds\":1000"),
            new DigitCue(TimeSpan.FromSeconds(0.5), '7'));
        await using var _ = h;

        Assert.Equal(new SpeechRequest("Again", SpeechTextType.Text, SpeechEngine.Neural, "en-US", "Joanna"), speech.Requests[1]);
        var e = h.Handler.Events[1];
        Assert.Equal("7", e.Str("ActionData.ReceivedDigits"));
        Assert.Equal("text", e.Str("ActionData.Parameters.SpeechParameters.TextType"));
        Assert.Equal("neural", e.Str("ActionData.Parameters.FailureSpeechParameters.Engine"));
        Assert.Equal("en-US", e.Str("ActionData.Parameters.FailureSpeechParameters.LanguageCode"));
        Assert.Equal("Joanna", e.Str("ActionData.Parameters.FailureSpeechParameters.VoiceId"));
    }

    [Theory]
    [InlineData("Nobody", ActionError.InvalidActionParameter)]
    [InlineData("Throttled", ActionError.SystemException)]
    public async Task SpeakAndGetDigits_BackendFails_DocumentedErrorType(string voice, string errorType)
    {
        var (h, _, _) = await RunAsync(
            SpeakAndGetDigits($"\"SpeechParameters\":{{\"Text\":\"Code?\",\"VoiceId\":\"{voice}\"}},\"FailureSpeechParameters\":{{\"Text\":\"Again\"}},\"RepeatDurationInMilliseconds\":1000"));
        await using var _ = h;

        Assert.Equal(EventTypes.ActionFailed, h.Handler.Events[1].Type());
        Assert.Equal(errorType, h.Handler.Events[1].Str("ActionData.ErrorType"));
    }

    [Fact]
    public async Task SpeakAndGetDigits_FailureTextTooLong_TextLimited()
    {
        var (h, speech, _) = await RunAsync(
            SpeakAndGetDigits($"\"SpeechParameters\":{{\"Text\":\"Code?\"}},\"FailureSpeechParameters\":{{\"Text\":\"{new string('x', 1001)}\"}},\"RepeatDurationInMilliseconds\":1000"));
        await using var _ = h;

        Assert.Empty(speech.Requests);
        Assert.Equal("Text is limited to 1,000 characters", h.Handler.Events[1].Str("ActionData.ErrorMessage"));
    }
}
