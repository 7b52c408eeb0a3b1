using OpenSma.Engine.Contracts;
using OpenSma.Engine.Tests.Golden;
using OpenSma.Engine.Tests.Support;
using OpenSma.Engine.Virtual;
using static OpenSma.Engine.Tests.Support.ScriptedHandler;
using static OpenSma.Engine.Tests.Validation.ActionProbe;

namespace OpenSma.Engine.Tests.Validation;

/// <summary>
/// Spec §4: numbers as strings, "" as absent, booleans as strings, unknown keys ignored. Each test
/// passes only while the engine is lenient: a strict parser turns every one into ACTION_FAILED.
/// </summary>
public sealed class LenientParsingTests
{
    [Fact]
    public async Task Pause_DurationAsString_RunsForThatLong_AndEchoesTheStringAsSent()
    {
        await using var h = new EngineHarness();
        var e = await ReportAsync(h, A.Action("Pause", "{\"DurationInMilliseconds\":\"500\"}"));
        AssertSucceeded(e);
        Assert.Equal(System.Text.Json.JsonValueKind.String, e.ActionData().GetProperty("Parameters").GetProperty("DurationInMilliseconds").ValueKind);
        Assert.Equal("500", e.Str("ActionData.Parameters.DurationInMilliseconds"));
        Assert.InRange(h.Network.Legs.Single().Heard().Duration.TotalMilliseconds, 480, 560);
    }

    [Fact]
    public async Task PlayAudio_RepeatAsString_PlaysThatManyTimes()
    {
        await using var h = new EngineHarness();
        var e = await ReportAsync(h, A.Play("menu.wav", ",\"Repeat\":\"3\""));
        AssertSucceeded(e);
        // menu.wav lasts 600 ms (GoldenScenarios.CallAsync writes it).
        Assert.InRange(h.Network.Legs.Single().Heard().Duration.TotalMilliseconds, 1780, 1880);
    }

    [Fact]
    public async Task PlayAudio_RepeatEmptyString_IsAbsent_DefaultsToOnePlay()
    {
        await using var h = new EngineHarness();
        var e = await ReportAsync(h, A.Play("menu.wav", ",\"Repeat\":\"\""));
        AssertSucceeded(e);
        Assert.Equal("1", e.Str("ActionData.Parameters.Repeat"));
        Assert.InRange(h.Network.Legs.Single().Heard().Duration.TotalMilliseconds, 580, 680);
    }

    [Theory]
    [InlineData("\"100\"", 100)]
    [InlineData("\"\"", 250)]
    [InlineData("null", 250)]
    public async Task SendDigits_ToneDurationAsStringOrEmpty_IsAccepted(string tone, int expected)
    {
        var e = await ReportAsync(A.Action("SendDigits", $"{{\"CallId\":\"{{LEG-A}}\",\"Digits\":\"1\",\"ToneDurationInMilliseconds\":{tone}}}"));
        AssertSucceeded(e);
        Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Str("ActionData.Parameters.ToneDurationInMilliseconds"));
    }

    [Fact]
    public async Task RecordAudio_DurationAsString_StopsAfterThatManySeconds()
    {
        await using var h = new EngineHarness();
        var e = await ReportAsync(
            h,
            A.Action("RecordAudio", "{\"DurationInSeconds\":\"2\",\"RecordingTerminators\":\"#\",\"RecordingDestination\":{\"Type\":\"S3\",\"BucketName\":\"recordings-bucket\"}}"),
            VirtualParty.Answering(new SayCue(TimeSpan.FromSeconds(0.2), Media.Audio.ToneGenerator.Beep(TimeSpan.FromSeconds(5), 600))));
        AssertSucceeded(e);
        Assert.Null(e.Str("ActionData.RecordingTerminatorUsed"));
        var key = e.Str("ActionData.RecordingDestination.Key")!;
        var wav = await File.ReadAllBytesAsync(Path.Combine(h.Store.Root, "recordings-bucket", key));
        var seconds = (wav.Length - 44) / 2.0 / 8000;
        Assert.InRange(seconds, 1.9, 2.1);
    }

    [Theory]
    [InlineData("\"486\"")]
    [InlineData("486")]
    public async Task Hangup_SipResponseCodeAsStringOrNumber_ReleasesWithThatCode(string code)
    {
        await using var h = new EngineHarness();
        var e = await GoldenScenarios.CallAsync(
            h,
            ev => ev.Type() == EventTypes.NewInboundCall ? ActionList(A.Action("Hangup", $"{{\"SipResponseCode\":{code}}}")) : null,
            ev => ev.Type() == EventTypes.Hangup);
        Assert.Equal(486, e.ActionData().GetProperty("Parameters").GetProperty("SipResponseCode").GetInt32());
        Assert.Equal(486, h.Network.Legs.Single().ReleasedWith);
    }

    [Theory]
    [InlineData("\"ParticipantTag\":\"\",")]
    [InlineData("\"CallId\":\"\",")]
    [InlineData("\"CallId\":\"\",\"ParticipantTag\":\"\",")]
    [InlineData("\"ParticipantTag\":null,")]
    public async Task Pause_EmptyLegSelector_IsAbsent_RunsOnTheInvokedLeg(string selector)
    {
        var e = await ReportAsync(A.Action("Pause", "{" + selector + "\"DurationInMilliseconds\":300}"));
        AssertSucceeded(e);
        Assert.Equal(LegACallId(e), e.Str("ActionData.Parameters.CallId"));
    }

    [Theory]
    [InlineData("\"true\"")]
    [InlineData("\"false\"")]
    [InlineData("\"True\"")]
    [InlineData("\"FALSE\"")]
    [InlineData("true")]
    public async Task VoiceFocus_EnableAsBooleanOrBooleanString_PassesValidation(string enable)
    {
        var e = await ReportAsync(A.Action("VoiceFocus", $"{{\"CallId\":\"{{LEG-A}}\",\"Enable\":{enable}}}"));
        AssertSucceeded(e);
    }

    [Fact]
    public async Task Pause_UnknownParameter_IsIgnored_AndEchoedAsSent()
    {
        var e = await ReportAsync(A.Action("Pause", "{\"DurationInMilliseconds\":300,\"Comment\":\"hold\",\"Nested\":{\"a\":[1,2]}}"));
        AssertSucceeded(e);
        Assert.Equal("hold", e.Str("ActionData.Parameters.Comment"));
        Assert.Equal("[1,2]", e.Str("ActionData.Parameters.Nested.a"));
    }

    [Fact]
    public async Task PlayAudio_UnknownKeyInAudioSource_IsIgnored()
    {
        var e = await ReportAsync(A.Action(
            "PlayAudio",
            "{\"AudioSource\":{\"Type\":\"S3\",\"BucketName\":\"prompts-bucket\",\"Key\":\"menu.wav\",\"VersionId\":\"3\"}}"));
        AssertSucceeded(e);
    }

    [Fact]
    public async Task Response_UnknownKeysInActionAndAtTopLevel_AreIgnored()
    {
        await using var h = new EngineHarness();
        var e = await GoldenScenarios.CallAsync(
            h,
            ev => ev.Type() == EventTypes.NewInboundCall
                ? "{\"SchemaVersion\":\"1.0\",\"Region\":\"us-east-1\",\"Debug\":{\"x\":1},\"Actions\":[{\"Type\":\"Pause\",\"Id\":7,\"Parameters\":{\"DurationInMilliseconds\":300}}]}"
                : null,
            ev => ev.Type() is EventTypes.ActionSuccessful or EventTypes.ActionFailed or EventTypes.InvalidLambdaResponse);
        AssertSucceeded(e);
        Assert.Equal("Pause", e.Str("ActionData.Type"));
    }

    [Fact]
    public async Task PlayAudioAndGetDigits_NumbersAsStrings_AreHonoured()
    {
        await using var h = new EngineHarness();
        const string source = "{\"Type\":\"S3\",\"BucketName\":\"prompts-bucket\",\"Key\":\"menu.wav\"}";
        var e = await ReportAsync(
            h,
            A.Action("PlayAudioAndGetDigits", $"{{\"AudioSource\":{source},\"FailureAudioSource\":{source},\"MinNumberOfDigits\":\"2\",\"MaxNumberOfDigits\":\"2\",\"Repeat\":\"1\",\"RepeatDurationInMilliseconds\":\"3000\",\"InBetweenDigitsDurationInMilliseconds\":\"2000\"}}"),
            VirtualParty.Answering(new DigitCue(TimeSpan.FromSeconds(1), '7'), new DigitCue(TimeSpan.FromSeconds(2.5), '8'), new DigitCue(TimeSpan.FromSeconds(2.7), '9')));
        AssertSucceeded(e);
        // Max "2" stops collection after two digits; in-between "2000" let the 1.5 s gap pass.
        Assert.Equal("78", e.Str("ActionData.ReceivedDigits"));
    }
}
