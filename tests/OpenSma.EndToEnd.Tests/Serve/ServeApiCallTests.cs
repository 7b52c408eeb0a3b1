using OpenSma.EndToEnd.Tests.Support;
using OpenSma.EndToEnd.Tests.Telephony.Support;

namespace OpenSma.EndToEnd.Tests.Serve;

/// <summary>
/// The AWS CLI against <c>opensma serve</c>: an SMA created through the Chime SDK Voice API places a
/// call with CreateSipMediaApplicationCall that reaches its HTTP handler through the engine, and
/// UpdateSipMediaApplicationCall delivers CALL_UPDATE_REQUESTED with the arguments; a prompt put
/// with <c>aws s3 cp</c> plays in a call and the call's recording is fetched back the same way.
/// </summary>
public sealed class ServeApiCallTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private InProcessServe _serve = null!;

    public async Task InitializeAsync() => _serve = await InProcessServe.StartAsync("serve");

    public async Task DisposeAsync() => await _serve.DisposeAsync();

    [Fact]
    public async Task AwsCli_CreateAndUpdateCall_ReachTheHandlerThroughTheEngine()
    {
        using var handler = new HandlerServer(e => HandlerServer.Type(e) switch
        {
            "CALL_ANSWERED" => HandlerServer.Actions("""{"Type":"Pause","Parameters":{"DurationInMilliseconds":30000}}"""),
            "CALL_UPDATE_REQUESTED" => HandlerServer.Actions(TelephonyFixture.Hangup()),
            _ => null,
        });
        var smaId = await _serve.CreateSmaAsync("e2e", handler.Url);

        var call = await _serve.ChimeAsync(
            "create-sip-media-application-call", "--sip-media-application-id", smaId,
            "--from-phone-number", "+15559870000", "--to-phone-number", "+15551230000",
            "--sip-headers", "X-Ticket=42");
        var transactionId = call.GetProperty("SipMediaApplicationCall").GetProperty("TransactionId").GetString()!;

        await handler.WaitForAsync(events => events.Any(e => HandlerServer.Type(e) == "CALL_ANSWERED"), Patience, "CALL_ANSWERED");
        await _serve.ChimeAsync(
            "update-sip-media-application-call", "--sip-media-application-id", smaId,
            "--transaction-id", transactionId, "--arguments", "action=stop,queuePosition=3");
        await handler.WaitForAsync(events => events.Any(e => HandlerServer.Type(e) == "HANGUP"), Patience, "HANGUP");

        var types = handler.Events.Select(HandlerServer.Type).ToList();
        Assert.Equal(["NEW_OUTBOUND_CALL", "RINGING", "CALL_ANSWERED", "CALL_UPDATE_REQUESTED", "HANGUP"], types.Where(t => t != "ACTION_INTERRUPTED"));
        Assert.Contains("ACTION_INTERRUPTED", types);
        var first = handler.Events[0];
        Assert.Equal(transactionId, first.GetProperty("CallDetails").GetProperty("TransactionId").GetString());
        Assert.Equal(smaId, first.GetProperty("CallDetails").GetProperty("SipMediaApplicationId").GetString());
        var update = handler.Events.Single(e => HandlerServer.Type(e) == "CALL_UPDATE_REQUESTED");
        var arguments = update.GetProperty("ActionData").GetProperty("Parameters").GetProperty("Arguments");
        Assert.Equal("stop", arguments.GetProperty("action").GetString());
        Assert.Equal("3", arguments.GetProperty("queuePosition").GetString());

        // The finished transaction is gone: an update now is the AWS NotFoundException.
        var (exit, _, stderr) = await TestProcess.AwsChimeAsync(_serve.ApiUrl, "AKIDEXAMPLE", "secret",
            "update-sip-media-application-call", "--sip-media-application-id", smaId,
            "--transaction-id", transactionId, "--arguments", "a=b");
        Assert.NotEqual(0, exit);
        Assert.Contains("NotFoundException", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AwsCliS3_PromptPutThenPlayed_RecordingListedAndFetched()
    {
        var prompt = Path.Combine(_serve.WorkDirectory, "welcome.wav");
        await File.WriteAllBytesAsync(prompt, Media.Audio.WavWriter.WriteMono(Media.Audio.ToneGenerator.Beep(TimeSpan.FromSeconds(1), 440).Samples.Span));
        await _serve.AwsAsync("s3", "mb", "s3://e2e-audio");
        await _serve.AwsAsync("s3", "cp", prompt, "s3://e2e-audio/prompts/welcome.wav");
        using var handler = new HandlerServer(e => HandlerServer.Type(e) switch
        {
            "CALL_ANSWERED" => HandlerServer.Actions(
                """{"Type":"PlayAudio","Parameters":{"AudioSource":{"Type":"S3","BucketName":"e2e-audio","Key":"prompts/welcome.wav"}}}""",
                """{"Type":"RecordAudio","Parameters":{"DurationInSeconds":2,"RecordingTerminators":["#"],"RecordingDestination":{"Type":"S3","BucketName":"e2e-audio","Prefix":"recordings/"}}}"""),
            "ACTION_SUCCESSFUL" => HandlerServer.Actions(TelephonyFixture.Hangup()),
            _ => null,
        });

        var smaId = await _serve.CreateSmaAsync("s3", handler.Url);
        await _serve.ChimeAsync(
            "create-sip-media-application-call", "--sip-media-application-id", smaId,
            "--from-phone-number", "+15559870000", "--to-phone-number", "+15551230000");
        await handler.WaitForAsync(events => events.Any(e => HandlerServer.Type(e) == "HANGUP"), Patience, "HANGUP");

        Assert.DoesNotContain(handler.Events, e => HandlerServer.Type(e) == "ACTION_FAILED");
        var recorded = handler.Events.Single(e => HandlerServer.Type(e) == "ACTION_SUCCESSFUL").GetProperty("ActionData");
        Assert.Equal("RecordAudio", recorded.GetProperty("Type").GetString());
        var key = recorded.GetProperty("RecordingDestination").GetProperty("Key").GetString()!;
        Assert.StartsWith("recordings/", key, StringComparison.Ordinal);

        var listed = await _serve.AwsAsync("s3api", "list-objects-v2", "--bucket", "e2e-audio", "--prefix", "recordings/");
        Assert.Contains(key, listed, StringComparison.Ordinal);
        var fetched = Path.Combine(_serve.WorkDirectory, "fetched.wav");
        await _serve.AwsAsync("s3", "cp", $"s3://e2e-audio/{key}", fetched);
        var wav = Media.Audio.WavReader.Decode(await File.ReadAllBytesAsync(fetched));
        Assert.Null(wav.Error);
        Assert.InRange(wav.Audio!.Duration, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(2.5));
    }
}
