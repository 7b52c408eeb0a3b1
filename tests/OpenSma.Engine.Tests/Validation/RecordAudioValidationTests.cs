using OpenSma.Engine.Contracts;
using OpenSma.Engine.Tests.Support;
using OpenSma.Engine.Virtual;
using static OpenSma.Engine.Tests.Validation.ActionProbe;

namespace OpenSma.Engine.Tests.Validation;

/// <summary>Spec §7.8: RecordAudio parameter errors, with the documented messages.</summary>
public sealed class RecordAudioValidationTests
{
    private const string Destination = "\"RecordingDestination\":{\"Type\":\"S3\",\"BucketName\":\"recordings-bucket\"}";

    private static string Record(string parameters) => A.Action("RecordAudio", "{" + parameters + "}");

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("\"ten\"")]
    [InlineData("2.5")]
    public async Task RecordAudio_DurationNotPositive_FailsWithDurationInvalid(string duration)
    {
        var e = await ReportAsync(Record($"\"DurationInSeconds\":{duration},\"RecordingTerminators\":[\"#\"],{Destination}"));
        AssertFailed(e, ActionError.InvalidActionParameter, "DurationInSeconds parameter value is invalid.");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    [InlineData("\"long\"")]
    public async Task RecordAudio_SilenceDurationOutsideOneToThousand_FailsWithSilenceDurationInvalid(string silence)
    {
        var e = await ReportAsync(Record($"\"SilenceDurationInSeconds\":{silence},\"RecordingTerminators\":[\"#\"],{Destination}"));
        AssertFailed(e, ActionError.InvalidActionParameter, "SilenceDurationInSeconds parameter value is invalid.");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    [InlineData("\"loud\"")]
    public async Task RecordAudio_SilenceThresholdOutsideOneToThousand_FailsWithSilenceThresholdInvalid(string threshold)
    {
        var e = await ReportAsync(Record($"\"SilenceDurationInSeconds\":5,\"SilenceThreshold\":{threshold},\"RecordingTerminators\":[\"#\"],{Destination}"));
        AssertFailed(e, ActionError.InvalidActionParameter, "SilenceThreshold parameter value is invalid.");
    }

    [Theory]
    [InlineData("")]
    [InlineData(",\"RecordingDestination\":null")]
    [InlineData(",\"RecordingDestination\":{\"Type\":\"HTTP\",\"BucketName\":\"recordings-bucket\"}")]
    [InlineData(",\"RecordingDestination\":{\"BucketName\":\"recordings-bucket\"}")]
    [InlineData(",\"RecordingDestination\":{\"Type\":\"S3\"}")]
    [InlineData(",\"RecordingDestination\":{\"Type\":\"S3\",\"BucketName\":\"\"}")]
    [InlineData(",\"RecordingDestination\":{\"Type\":\"S3\",\"BucketName\":\"recordings-bucket\",\"Prefix\":\"../escape/\"}")]
    public async Task RecordAudio_DestinationMissingOrUnsafe_FailsWithDestinationInvalid(string destination)
    {
        var e = await ReportAsync(Record("\"RecordingTerminators\":[\"#\"]" + destination));
        AssertFailed(e, ActionError.InvalidActionParameter, "RecordingDestination parameter value is invalid.");
    }

    [Fact]
    public async Task RecordAudio_PrefixOver979Bytes_FailsWithDestinationInvalid()
    {
        var prefix = LongPrefix(980);
        var e = await ReportAsync(Record($"\"RecordingTerminators\":[\"#\"],\"RecordingDestination\":{{\"Type\":\"S3\",\"BucketName\":\"recordings-bucket\",\"Prefix\":\"{prefix}\"}}"));
        AssertFailed(e, ActionError.InvalidActionParameter, "RecordingDestination parameter value is invalid.");
    }

    [Fact]
    public async Task RecordAudio_DestinationBucketDoesNotExist_FailsWithUploadError()
    {
        var e = await ReportAsync(Record("\"DurationInSeconds\":1,\"RecordingTerminators\":[\"#\"],\"RecordingDestination\":{\"Type\":\"S3\",\"BucketName\":\"no-such-bucket\"}"));
        AssertFailed(e, ActionError.InvalidActionParameter, "Error occurred while uploading recording to S3 bucket.");
    }

    [Fact]
    public async Task RecordAudio_UnknownParticipantTag_FailsWithInvalidLeg()
    {
        var e = await ReportAsync(Record($"\"ParticipantTag\":\"LEG-B\",\"RecordingTerminators\":[\"#\"],{Destination}"));
        AssertFailed(e, ActionError.InvalidActionParameter, InvalidLeg);
    }

    [Fact]
    public async Task RecordAudio_ValidParameters_StopsOnDurationWithoutTerminatorUsed()
    {
        await using var h = new EngineHarness();
        var e = await ReportAsync(
            h,
            Record($"\"DurationInSeconds\":2,\"SilenceDurationInSeconds\":1000,\"SilenceThreshold\":1000,\"RecordingTerminators\":[\"#\"],{Destination}"),
            VirtualParty.Answering());
        AssertSucceeded(e);
        Assert.Null(e.Str("ActionData.RecordingTerminatorUsed"));
        Assert.Equal("recordings-bucket", e.Str("ActionData.RecordingDestination.BucketName"));
    }

    /// <summary>An S3-safe prefix of exactly <paramref name="bytes"/> bytes, in short folders.</summary>
    private static string LongPrefix(int bytes)
    {
        var segments = new System.Text.StringBuilder();
        while (segments.Length + 11 <= bytes)
        {
            segments.Append("abcdefghi/");
        }

        segments.Append(new string('z', bytes - segments.Length - 1)).Append('/');
        return segments.ToString();
    }
}
