using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using OpenSma.EndToEnd.Tests.Support;
using OpenSma.Host.Cli;

namespace OpenSma.EndToEnd.Tests.Serve;

/// <summary>
/// The AWS CLI against <c>opensma serve</c>: an SMA created through the Chime SDK Voice API places a
/// call with CreateSipMediaApplicationCall that reaches its HTTP handler through the engine, and
/// UpdateSipMediaApplicationCall delivers CALL_UPDATE_REQUESTED with the arguments; a prompt put
/// with <c>aws s3 cp</c> plays in a call and the call's recording is fetched back the same way.
/// </summary>
public sealed class ServeApiCallTests : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "opensma-serve-" + Guid.NewGuid().ToString("N"));
    private readonly ConcurrentQueue<JsonElement> _events = new();
    private readonly HttpListener _handler = new();
    private Microsoft.AspNetCore.Builder.WebApplication? _app;
    private string _apiUrl = "";
    private string _handlerUrl = "";
    private Func<JsonElement, string?> _reply = _ => null;

    public async Task InitializeAsync()
    {
        _apiUrl = $"http://127.0.0.1:{TestProcess.FreePort()}";
        _app = ServeCommand.Build(_dataDir, _apiUrl, "127.0.0.1", sipPort: 0);
        await _app.StartAsync();

        _handlerUrl = $"http://127.0.0.1:{TestProcess.FreePort()}/";
        _handler.Prefixes.Add(_handlerUrl);
        _handler.Start();
        _ = Task.Run(ServeHandlerAsync);
    }

    public async Task DisposeAsync()
    {
        _handler.Stop();
        _handler.Close();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task AwsCli_CreateAndUpdateCall_ReachTheHandlerThroughTheEngine()
    {
        var sma = await AwsAsync("create-sip-media-application", "--aws-region", "us-east-1", "--name", "e2e", "--endpoints", $"LambdaArn={_handlerUrl}");
        var smaId = sma.GetProperty("SipMediaApplication").GetProperty("SipMediaApplicationId").GetString()!;

        var call = await AwsAsync(
            "create-sip-media-application-call", "--sip-media-application-id", smaId,
            "--from-phone-number", "+15559870000", "--to-phone-number", "+15551230000",
            "--sip-headers", "X-Ticket=42");
        var transactionId = call.GetProperty("SipMediaApplicationCall").GetProperty("TransactionId").GetString()!;

        await WaitForAsync(() => _events.Any(e => Type(e) == "CALL_ANSWERED"));
        await AwsAsync(
            "update-sip-media-application-call", "--sip-media-application-id", smaId,
            "--transaction-id", transactionId, "--arguments", "action=stop,queuePosition=3");
        await WaitForAsync(() => _events.Any(e => Type(e) == "HANGUP"));

        var types = _events.Select(Type).ToList();
        Assert.Equal(["NEW_OUTBOUND_CALL", "RINGING", "CALL_ANSWERED", "CALL_UPDATE_REQUESTED", "HANGUP"], types.Where(t => t != "ACTION_INTERRUPTED"));
        Assert.Contains("ACTION_INTERRUPTED", types);
        var first = _events.First();
        Assert.Equal(transactionId, first.GetProperty("CallDetails").GetProperty("TransactionId").GetString());
        Assert.Equal(smaId, first.GetProperty("CallDetails").GetProperty("SipMediaApplicationId").GetString());
        var update = _events.Single(e => Type(e) == "CALL_UPDATE_REQUESTED");
        var arguments = update.GetProperty("ActionData").GetProperty("Parameters").GetProperty("Arguments");
        Assert.Equal("stop", arguments.GetProperty("action").GetString());
        Assert.Equal("3", arguments.GetProperty("queuePosition").GetString());

        // The finished transaction is gone: an update now is the AWS NotFoundException.
        var (exit, _, stderr) = await TestProcess.AwsChimeAsync(_apiUrl, "AKIDEXAMPLE", "secret", 
            "update-sip-media-application-call", "--sip-media-application-id", smaId,
            "--transaction-id", transactionId, "--arguments", "a=b");
        Assert.NotEqual(0, exit);
        Assert.Contains("NotFoundException", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AwsCliS3_PromptPutThenPlayed_RecordingListedAndFetched()
    {
        var prompt = Path.Combine(_dataDir, "welcome.wav");
        Directory.CreateDirectory(_dataDir);
        await File.WriteAllBytesAsync(prompt, Media.Audio.WavWriter.WriteMono(Media.Audio.ToneGenerator.Beep(TimeSpan.FromSeconds(1), 440).Samples.Span));
        await S3Async("s3", "mb", "s3://e2e-audio");
        await S3Async("s3", "cp", prompt, "s3://e2e-audio/prompts/welcome.wav");
        _reply = e => Type(e) switch
        {
            "CALL_ANSWERED" => """
                {"SchemaVersion":"1.0","Actions":[
                  {"Type":"PlayAudio","Parameters":{"AudioSource":{"Type":"S3","BucketName":"e2e-audio","Key":"prompts/welcome.wav"}}},
                  {"Type":"RecordAudio","Parameters":{"DurationInSeconds":2,"RecordingTerminators":["#"],"RecordingDestination":{"Type":"S3","BucketName":"e2e-audio","Prefix":"recordings/"}}}]}
                """,
            "ACTION_SUCCESSFUL" => """{"SchemaVersion":"1.0","Actions":[{"Type":"Hangup","Parameters":{"SipResponseCode":"0"}}]}""",
            _ => null,
        };

        var sma = await AwsAsync("create-sip-media-application", "--aws-region", "us-east-1", "--name", "s3", "--endpoints", $"LambdaArn={_handlerUrl}");
        await AwsAsync(
            "create-sip-media-application-call", "--sip-media-application-id", sma.GetProperty("SipMediaApplication").GetProperty("SipMediaApplicationId").GetString()!,
            "--from-phone-number", "+15559870000", "--to-phone-number", "+15551230000");
        await WaitForAsync(() => _events.Any(e => Type(e) == "HANGUP"));

        Assert.DoesNotContain(_events, e => Type(e) == "ACTION_FAILED");
        var recorded = _events.Single(e => Type(e) == "ACTION_SUCCESSFUL").GetProperty("ActionData");
        Assert.Equal("RecordAudio", recorded.GetProperty("Type").GetString());
        var key = recorded.GetProperty("RecordingDestination").GetProperty("Key").GetString()!;
        Assert.StartsWith("recordings/", key, StringComparison.Ordinal);

        var listed = await S3Async("s3api", "list-objects-v2", "--bucket", "e2e-audio", "--prefix", "recordings/");
        Assert.Contains(key, listed, StringComparison.Ordinal);
        var fetched = Path.Combine(_dataDir, "fetched.wav");
        await S3Async("s3", "cp", $"s3://e2e-audio/{key}", fetched);
        var wav = Media.Audio.WavReader.Decode(await File.ReadAllBytesAsync(fetched));
        Assert.Null(wav.Error);
        Assert.InRange(wav.Audio!.Duration, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(2.5));
    }

    private async Task<string> S3Async(params string[] args)
    {
        var (exit, stdout, stderr) = await TestProcess.AwsAsync(_apiUrl, "AKIDEXAMPLE", "secret", args);
        Assert.True(exit == 0, $"aws {string.Join(' ', args)} failed: {stderr}");
        return stdout;
    }

    private async Task ServeHandlerAsync()
    {
        while (_handler.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _handler.GetContextAsync();
            }
            catch (Exception) when (!_handler.IsListening)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var e = JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone();
            _events.Enqueue(e);
            var reply = _reply(e) ?? Type(e) switch
            {
                "CALL_ANSWERED" => """{"SchemaVersion":"1.0","Actions":[{"Type":"Pause","Parameters":{"DurationInMilliseconds":30000}}]}""",
                "CALL_UPDATE_REQUESTED" => """{"SchemaVersion":"1.0","Actions":[{"Type":"Hangup","Parameters":{"SipResponseCode":"0"}}]}""",
                _ => """{"SchemaVersion":"1.0","Actions":[]}""",
            };
            var bytes = Encoding.UTF8.GetBytes(reply);
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private static string Type(JsonElement e) => e.GetProperty("InvocationEventType").GetString()!;

    private async Task<JsonElement> AwsAsync(params string[] args)
    {
        var (exit, stdout, stderr) = await TestProcess.AwsChimeAsync(_apiUrl, "AKIDEXAMPLE", "secret", args);
        Assert.True(exit == 0, $"aws {string.Join(' ', args)} failed: {stderr}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(50, cts.Token);
        }
    }
}
