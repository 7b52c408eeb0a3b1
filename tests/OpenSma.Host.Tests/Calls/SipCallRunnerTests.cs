using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using OpenSma.Engine.Virtual;
using OpenSma.Host.Calls;
using OpenSma.Media.Audio;
using OpenSma.Testing;

namespace OpenSma.Host.Tests.Calls;

/// <summary>
/// <c>opensma call --sip</c> end to end in process: real SIP and RTP on loopback from OpenSMA's own
/// phone, through the inbound router and the engine, to an HTTP handler. Real time, generous limits.
/// </summary>
public sealed class SipCallRunnerTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("opensma-call-sip-test-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task RunAsync_DigitsIntoPlayAudioAndGetDigits_LadderAndRecordingShowTheCall()
    {
        WritePrompt("greeting.wav", ToneGenerator.Beep(TimeSpan.FromSeconds(1)));
        using var handler = new Handler(e => (Type(e), ActionType(e)) switch
        {
            ("NEW_INBOUND_CALL", _) => """[{"Type":"PlayAudioAndGetDigits","Parameters":{"AudioSource":{"Type":"S3","BucketName":"prompts","Key":"greeting.wav"},"FailureAudioSource":{"Type":"S3","BucketName":"prompts","Key":"greeting.wav"},"MinNumberOfDigits":2,"MaxNumberOfDigits":5,"TerminatorDigits":["#"],"InBetweenDigitsDurationInMilliseconds":8000,"Repeat":2,"RepeatDurationInMilliseconds":15000}}]""",
            ("ACTION_SUCCESSFUL", "PlayAudioAndGetDigits") => """[{"Type":"Hangup","Parameters":{"SipResponseCode":"0"}}]""",
            _ => "[]",
        });
        var record = Path.Combine(_dataDir, "rec");
        var output = new StringWriter();
        var exit = await SipCallRunner.RunAsync(
            Options(handler.Url, record) with { Caller = VirtualParty.Answering([.. CallScript.ParseDigits("1@2s,2,#")]) },
            output, [], CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(3));

        var lines = Lines(output);
        Assert.True(exit == 0, $"exit {exit}\n{output}");
        var events = lines.Where(l => l.GetProperty("kind").GetString() == "event").Select(l => l.GetProperty("type").GetString()).ToList();
        Assert.Equal(["NEW_INBOUND_CALL", "ACTION_SUCCESSFUL", "HANGUP"], events);
        var success = lines.Single(l => l.GetProperty("kind").GetString() == "event" && l.GetProperty("type").GetString() == "ACTION_SUCCESSFUL");
        Assert.Equal("12", success.GetProperty("event").GetProperty("ActionData").GetProperty("ReceivedDigits").GetString());
        Assert.Equal("all legs ended", lines[^1].GetProperty("reason").GetString());

        var heard = WavReader.Decode(File.ReadAllBytes(Path.Combine(record, "caller-heard.wav"))).Audio!;
        Assert.InRange(LoudFrames(heard), 25, 60);   // the 1 s beep (50 frames), played once before the digits
    }

    [Fact]
    public async Task RunAsync_CallAndBridge_CalleePhoneAnswersAndHearsTheCaller()
    {
        using var handler = new Handler(e => (Type(e), ActionType(e)) switch
        {
            ("NEW_INBOUND_CALL", _) => """[{"Type":"CallAndBridge","Parameters":{"CallTimeoutSeconds":30,"CallerIdNumber":"+15559870000","Endpoints":[{"BridgeEndpointType":"PSTN","Uri":"+14155550123"}]}}]""",
            ("HANGUP", _) => """[{"Type":"Hangup","Parameters":{"ParticipantTag":"LEG-A","SipResponseCode":"0"}}]""",
            _ => "[]",
        });
        var beep = Path.Combine(_dataDir, "beep.wav");
        await File.WriteAllBytesAsync(beep, WavWriter.WriteMono(ToneGenerator.Beep(TimeSpan.FromSeconds(1)).Samples.Span));
        var record = Path.Combine(_dataDir, "rec2");
        var output = new StringWriter();
        var exit = await SipCallRunner.RunAsync(
            Options(handler.Url, record) with
            {
                Caller = VirtualParty.Answering(CallScript.ParseSay(beep + "@0.5s", "--say")),
                Callees = [CallScript.ParseCallee("+14155550123=answer@0.5s;hangup=4s")],
            },
            output, [], CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(3));

        Assert.True(exit == 0, $"exit {exit}\n{output}");
        var events = Lines(output).Where(l => l.GetProperty("kind").GetString() == "event").Select(l => l.GetProperty("type").GetString()).ToList();
        Assert.Equal("NEW_INBOUND_CALL", events[0]);
        Assert.Equal("ACTION_SUCCESSFUL", events[1]);
        Assert.Contains("HANGUP", events);
        var calleeHeard = WavReader.Decode(File.ReadAllBytes(Path.Combine(record, "14155550123-heard.wav"))).Audio!;
        Assert.InRange(LoudFrames(calleeHeard), 25, 60);   // the caller's 1 s beep crossed the bridge
    }

    [Fact]
    public async Task RunAsync_NoHandlerListening_ReportsHandlerFailure()
    {
        var output = new StringWriter();
        var exit = await SipCallRunner.RunAsync(
            Options($"http://127.0.0.1:{FreePorts.Tcp()}/", null), output, [], CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(3));

        Assert.Equal(VirtualCallRunner.HandlerFailed, exit);
    }

    private VirtualCallOptions Options(string handler, string? record) => new()
    {
        Handler = handler,
        DataDirectory = _dataDir,
        Json = true,
        RecordDirectory = record,
        MaxDuration = TimeSpan.FromMinutes(2),
    };

    private void WritePrompt(string key, PcmAudio audio)
    {
        var bucket = Path.Combine(_dataDir, "buckets", "prompts");
        Directory.CreateDirectory(bucket);
        File.WriteAllBytes(Path.Combine(bucket, key), WavWriter.WriteMono(audio.Samples.Span));
    }

    private static List<JsonElement> Lines(StringWriter output) =>
        [.. output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    private static string Type(JsonElement e) => e.GetProperty("InvocationEventType").GetString()!;

    private static string? ActionType(JsonElement e) =>
        e.TryGetProperty("ActionData", out var data) && data.ValueKind == JsonValueKind.Object && data.TryGetProperty("Type", out var t) ? t.GetString() : null;

    private static int LoudFrames(PcmAudio audio)
    {
        var loud = 0;
        for (var i = 0; i + PcmAudio.SamplesPerFrame <= audio.Length; i += PcmAudio.SamplesPerFrame)
        {
            double sum = 0;
            foreach (var s in audio.Samples.Span.Slice(i, PcmAudio.SamplesPerFrame))
            {
                sum += (double)s * s;
            }

            loud += Math.Sqrt(sum / PcmAudio.SamplesPerFrame) > 1000 ? 1 : 0;
        }

        return loud;
    }

    /// <summary>An HTTP handler answering each event with the action array the script returns.</summary>
    private sealed class Handler : IDisposable
    {
        private readonly HttpListener _listener = new();

        public Handler(Func<JsonElement, string> script)
        {
            Url = $"http://127.0.0.1:{FreePorts.Tcp()}/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _ = Task.Run(() => HttpListenerLoop.ServeAsync(_listener, async context =>
            {
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var e = JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement;
                var body = Encoding.UTF8.GetBytes($$"""{"SchemaVersion":"1.0","Actions":{{script(e)}}}""");
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }));
        }

        public string Url { get; }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
        }
    }
}
