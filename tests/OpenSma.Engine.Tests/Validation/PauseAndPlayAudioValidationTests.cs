using OpenSma.Engine.Contracts;
using OpenSma.Engine.Tests.Support;
using static OpenSma.Engine.Tests.Validation.ActionProbe;

namespace OpenSma.Engine.Tests.Validation;

/// <summary>Spec §7.3 (Pause) and §7.4 (PlayAudio) parameter errors, with the documented strings.</summary>
public sealed class PauseAndPlayAudioValidationTests
{
    private const string Source = "{\"Type\":\"S3\",\"BucketName\":\"prompts-bucket\",\"Key\":\"menu.wav\"}";

    [Theory]
    [InlineData("0")]
    [InlineData("50")]
    [InlineData("99")]
    [InlineData("30001")]
    [InlineData("-500")]
    [InlineData("1.5")]
    [InlineData("\"abc\"")]
    [InlineData("null")]
    [InlineData("\"\"")]
    [InlineData("[500]")]
    public async Task Pause_DurationOutOfRangeOrNotANumber_FailsWithDurationInvalid(string duration)
    {
        var e = await ReportAsync(A.Action("Pause", $"{{\"DurationInMilliseconds\":{duration}}}"));
        AssertFailed(e, ActionError.InvalidActionParameter, "The Duration parameter is invalid.");
    }

    [Fact]
    public async Task Pause_DurationMissing_FailsWithDurationInvalid()
    {
        var e = await ReportAsync(A.Action("Pause", "{\"ParticipantTag\":\"LEG-A\"}"));
        AssertFailed(e, ActionError.InvalidActionParameter, "The Duration parameter is invalid.");
    }

    [Fact]
    public async Task Pause_NoParameters_FailsWithDurationInvalid()
    {
        var e = await ReportAsync("{\"Type\":\"Pause\"}");
        AssertFailed(e, ActionError.InvalidActionParameter, "The Duration parameter is invalid.");
    }

    [Theory]
    [InlineData("100")]
    [InlineData("30000")]
    [InlineData("\"100\"")]
    public async Task Pause_DurationAtTheLimits_Succeeds(string duration)
    {
        var e = await ReportAsync(A.Action("Pause", $"{{\"DurationInMilliseconds\":{duration}}}"));
        AssertSucceeded(e);
    }

    [Theory]
    [InlineData("")]
    [InlineData(",\"AudioSource\":null")]
    [InlineData(",\"AudioSource\":{\"BucketName\":\"prompts-bucket\",\"Key\":\"menu.wav\"}")]
    [InlineData(",\"AudioSource\":{\"Type\":\"S3\",\"Key\":\"menu.wav\"}")]
    [InlineData(",\"AudioSource\":{\"Type\":\"S3\",\"BucketName\":\"prompts-bucket\"}")]
    [InlineData(",\"AudioSource\":{\"Type\":\"HTTP\",\"BucketName\":\"prompts-bucket\",\"Key\":\"menu.wav\"}")]
    [InlineData(",\"AudioSource\":{\"Type\":\"\",\"BucketName\":\"prompts-bucket\",\"Key\":\"menu.wav\"}")]
    [InlineData(",\"AudioSource\":{\"Type\":\"S3\",\"BucketName\":\"\",\"Key\":\"menu.wav\"}")]
    [InlineData(",\"AudioSource\":{\"Type\":\"S3\",\"BucketName\":\"prompts-bucket\",\"Key\":\"\"}")]
    [InlineData(",\"AudioSource\":\"s3://prompts-bucket/menu.wav\"")]
    public async Task PlayAudio_AudioSourceIncompleteOrWrongType_FailsWithAudioSourceInvalid(string source)
    {
        var e = await ReportAsync(A.Action("PlayAudio", "{\"Repeat\":1" + source + "}"));
        AssertFailed(e, ActionError.InvalidAudioSource, "Audio Source parameter value is invalid.");
    }

    [Theory]
    [InlineData("prompts-bucket", "missing.wav")]
    [InlineData("no-such-bucket", "menu.wav")]
    public async Task PlayAudio_ObjectOrBucketMissing_FailsWithCannotAccess(string bucket, string key)
    {
        var e = await ReportAsync(A.Action("PlayAudio", $"{{\"AudioSource\":{{\"Type\":\"S3\",\"BucketName\":\"{bucket}\",\"Key\":\"{key}\"}}}}"));
        AssertFailed(e, ActionError.InvalidAudioSource, "Cannot access S3 bucket or audio file.");
    }

    [Fact]
    public async Task PlayAudio_ObjectIsNotAWav_FailsWithInvalidAudioSource()
    {
        await using var h = new EngineHarness();
        File.WriteAllText(Path.Combine(h.Store.Root, EngineHarness.Bucket, "notes.wav"), "this is not audio");
        var e = await ReportAsync(h, A.Play("notes.wav"));
        AssertFailedWith(e, ActionError.InvalidAudioSource);
        Assert.Contains(e.Str("ActionData.ErrorMessage"), new[] { "Audio Source parameter value is invalid.", "Cannot access S3 bucket or audio file." });
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("\"twice\"")]
    public async Task PlayAudio_RepeatNotPositive_FailsWithInvalidActionParameter(string repeat)
    {
        var e = await ReportAsync(A.Action("PlayAudio", $"{{\"Repeat\":{repeat},\"AudioSource\":{Source}}}"));
        AssertFailedWith(e, ActionError.InvalidActionParameter);
    }

    [Theory]
    [InlineData("[\"A\"]")]
    [InlineData("[\"##\"]")]
    [InlineData("[\"1#\"]")]
    public async Task PlayAudio_PlaybackTerminatorNotADigitKey_FailsWithInvalidActionParameter(string terminators)
    {
        await using var h = new EngineHarness();
        var e = await ReportAsync(h, A.Action("PlayAudio", $"{{\"PlaybackTerminators\":{terminators},\"AudioSource\":{Source}}}"));
        AssertFailedWith(e, ActionError.InvalidActionParameter);
    }
}
