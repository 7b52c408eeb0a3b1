using OpenSma.Engine.Contracts;
using OpenSma.Engine.Tests.Support;
using static OpenSma.Engine.Tests.Validation.ActionProbe;

namespace OpenSma.Engine.Tests.Validation;

/// <summary>Spec §7.5 (PlayAudioAndGetDigits), §7.6 (ReceiveDigits) and §7.7 (SendDigits) parameter errors.</summary>
public sealed class DigitActionsValidationTests
{
    private const string Source = "{\"Type\":\"S3\",\"BucketName\":\"prompts-bucket\",\"Key\":\"menu.wav\"}";

    private static string SendDigits(string parameters) => A.Action("SendDigits", "{\"CallId\":\"{LEG-A}\"," + parameters + "}");

    private static string Receive(string parameters) => A.Action("ReceiveDigits", "{" + parameters + "}");

    private static string GetDigits(string parameters) =>
        A.Action("PlayAudioAndGetDigits", $"{{\"AudioSource\":{Source},\"FailureAudioSource\":{Source},{parameters}}}");

    [Theory]
    [InlineData("49")]
    [InlineData("24001")]
    [InlineData("0")]
    [InlineData("\"abc\"")]
    public async Task SendDigits_ToneDurationOutside50To24000_FailsWithToneDurationInvalid(string tone)
    {
        var e = await ReportAsync(SendDigits($"\"Digits\":\"123\",\"ToneDurationInMilliseconds\":{tone}"));
        AssertFailed(e, ActionError.InvalidActionParameter, "ToneDuration parameter value is invalid.");
    }

    [Theory]
    [InlineData("50")]
    [InlineData("24000")]
    public async Task SendDigits_ToneDurationAtTheLimits_Succeeds(string tone)
    {
        var e = await ReportAsync(SendDigits($"\"Digits\":\"1\",\"ToneDurationInMilliseconds\":{tone}"));
        AssertSucceeded(e);
    }

    [Theory]
    [InlineData("\"12E\"")]
    [InlineData("\"12 3\"")]
    [InlineData("\"\"")]
    [InlineData("null")]
    [InlineData("\"123456789012345678901234567890123456789012345678901\"")]
    public async Task SendDigits_DigitsEmptyTooLongOrOutsideTheAlphabet_FailsWithInvalidActionParameter(string digits)
    {
        var e = await ReportAsync(SendDigits($"\"Digits\":{digits}"));
        AssertFailedWith(e, ActionError.InvalidActionParameter);
    }

    [Fact]
    public async Task SendDigits_WholeAlphabetAndFiftySymbols_SendsEveryDigit()
    {
        await using var h = new EngineHarness();
        var digits = "0123456789*#ABCD," + new string('1', 33);
        var e = await ReportAsync(h, SendDigits($"\"Digits\":\"{digits}\",\"ToneDurationInMilliseconds\":60"));
        AssertSucceeded(e);
        var legA = h.Network.Legs.Single();
        Assert.Equal(digits.Replace(",", string.Empty, StringComparison.Ordinal), legA.DigitsHeard());
    }

    [Theory]
    [InlineData("\"InBetweenDigitsDurationInMilliseconds\":1000,\"FlushDigitsDurationInMilliseconds\":10000")]
    [InlineData("\"InputDigitsRegex\":\"\",\"InBetweenDigitsDurationInMilliseconds\":1000,\"FlushDigitsDurationInMilliseconds\":10000")]
    [InlineData("\"InputDigitsRegex\":\"[0-9\",\"InBetweenDigitsDurationInMilliseconds\":1000,\"FlushDigitsDurationInMilliseconds\":10000")]
    [InlineData("\"InputDigitsRegex\":\"(?<x\",\"InBetweenDigitsDurationInMilliseconds\":1000,\"FlushDigitsDurationInMilliseconds\":10000")]
    public async Task ReceiveDigits_RegexMissingOrInvalid_FailsWithRegexInvalid(string parameters)
    {
        var e = await ReportAsync(Receive(parameters));
        AssertFailed(e, ActionError.InvalidActionParameter, "The InputDigitsRegex parameter is invalid.");
    }

    [Theory]
    [InlineData("")]
    [InlineData(",\"InBetweenDigitsDurationInMilliseconds\":0")]
    [InlineData(",\"InBetweenDigitsDurationInMilliseconds\":-1")]
    [InlineData(",\"InBetweenDigitsDurationInMilliseconds\":\"soon\"")]
    public async Task ReceiveDigits_InBetweenMissingOrNotPositive_FailsWithInBetweenInvalid(string inBetween)
    {
        var e = await ReportAsync(Receive("\"InputDigitsRegex\":\"^1$\",\"FlushDigitsDurationInMilliseconds\":10000" + inBetween));
        AssertFailed(e, ActionError.InvalidActionParameter, "The InBetweenDigitsDurationInMilliseconds parameter is invalid.");
    }

    [Theory]
    [InlineData("")]
    [InlineData(",\"FlushDigitsDurationInMilliseconds\":1000")]
    [InlineData(",\"FlushDigitsDurationInMilliseconds\":500")]
    [InlineData(",\"FlushDigitsDurationInMilliseconds\":\"later\"")]
    public async Task ReceiveDigits_FlushMissingOrNotAboveInBetween_FailsWithFlushInvalid(string flush)
    {
        var e = await ReportAsync(Receive("\"InputDigitsRegex\":\"^1$\",\"InBetweenDigitsDurationInMilliseconds\":1000" + flush));
        AssertFailed(e, ActionError.InvalidActionParameter, "The FlushDigitsDurationInMilliseconds parameter is invalid.");
    }

    [Fact]
    public async Task ReceiveDigits_FlushJustAboveInBetween_Succeeds()
    {
        var e = await ReportAsync(Receive("\"InputDigitsRegex\":\"^1$\",\"InBetweenDigitsDurationInMilliseconds\":1000,\"FlushDigitsDurationInMilliseconds\":1001"));
        AssertSucceeded(e);
    }

    [Theory]
    [InlineData("\"MaxNumberOfDigits\":129,\"RepeatDurationInMilliseconds\":3000")]
    [InlineData("\"MinNumberOfDigits\":3,\"MaxNumberOfDigits\":2,\"RepeatDurationInMilliseconds\":3000")]
    [InlineData("\"MaxNumberOfDigits\":\"many\",\"RepeatDurationInMilliseconds\":3000")]
    public async Task PlayAudioAndGetDigits_MaxAbove128OrBelowMin_FailsWithMaxInvalid(string parameters)
    {
        var e = await ReportAsync(GetDigits(parameters));
        AssertFailed(e, ActionError.InvalidActionParameter, "The MaxNumberOfDigits parameter is invalid.");
    }

    [Theory]
    [InlineData("\"MinNumberOfDigits\":1")]
    [InlineData("\"RepeatDurationInMilliseconds\":0")]
    [InlineData("\"RepeatDurationInMilliseconds\":-100")]
    [InlineData("\"RepeatDurationInMilliseconds\":\"\"")]
    [InlineData("\"RepeatDurationInMilliseconds\":\"abc\"")]
    public async Task PlayAudioAndGetDigits_RepeatDurationMissingOrNotPositive_FailsWithRepeatDurationInvalid(string parameters)
    {
        var e = await ReportAsync(GetDigits(parameters));
        AssertFailed(e, ActionError.InvalidActionParameter, "The RepeatDurationInMilliseconds parameter is invalid.");
    }

    [Theory]
    [InlineData("[")]
    [InlineData("(unclosed")]
    public async Task PlayAudioAndGetDigits_RegexInvalid_FailsWithRegexInvalid(string regex)
    {
        var e = await ReportAsync(GetDigits($"\"InputDigitsRegex\":\"{regex}\",\"RepeatDurationInMilliseconds\":3000"));
        AssertFailed(e, ActionError.InvalidActionParameter, "The InputDigitsRegex parameter is invalid.");
    }

    [Theory]
    [InlineData("\"FailureAudioSource\"")]
    [InlineData("\"AudioSource\"")]
    public async Task PlayAudioAndGetDigits_SourceMissing_FailsWithAudioSourceInvalid(string missing)
    {
        var action = GetDigits("\"RepeatDurationInMilliseconds\":3000").Replace(missing + ":" + Source + ",", string.Empty, StringComparison.Ordinal);
        Assert.DoesNotContain(missing, action, StringComparison.Ordinal);
        var e = await ReportAsync(action);
        AssertFailed(e, ActionError.InvalidAudioSource, "Audio Source parameter value is invalid.");
    }

    [Fact]
    public async Task PlayAudioAndGetDigits_MaxOf128_Succeeds()
    {
        await using var h = new EngineHarness();
        var e = await ReportAsync(
            h,
            GetDigits("\"MaxNumberOfDigits\":128,\"RepeatDurationInMilliseconds\":3000"),
            Virtual.VirtualParty.Answering(new Virtual.DigitCue(TimeSpan.FromSeconds(1), '5'), new Virtual.DigitCue(TimeSpan.FromSeconds(1.2), '#')));
        AssertSucceeded(e);
        Assert.Equal("5", e.Str("ActionData.ReceivedDigits"));
    }
}
