using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using OpenSma.Engine.Invocation;
using OpenSma.Engine.Virtual;
using OpenSma.Host.Calls;
using OpenSma.Host.Cli;
using Microsoft.Extensions.Configuration;
using OpenSma.Media.Audio;
using OpenSma.Testing;

namespace OpenSma.Host.Tests.Calls;

/// <summary>
/// <c>opensma call</c> (virtual and <c>--sip</c>) honours serve's <c>VirtualPhones</c> section from
/// the same sources (the file, then OPENSMA_ environment variables): a CallAndBridge to a configured
/// agent number rings that scripted phone, and a <c>--callee</c> for the same number wins.
/// </summary>
public sealed class CallVirtualPhonesTests : IDisposable
{
    private const string Agent = "+15550100071";

    private readonly string _root = Directory.CreateTempSubdirectory("opensma-call-vphones-test-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void ReadConfiguration_VirtualPhonesFromTheFileAndTheEnvironment_AsServeReadsThem()
    {
        var file = Path.Combine(_root, "opensma.json");
        File.WriteAllText(file, """{ "VirtualPhones": { "+15550100081": "answer@2s", "+15550100082": "answer" } }""");
        Environment.SetEnvironmentVariable("OPENSMA_VirtualPhones__+15550100082", "busy");
        try
        {
            var (_, _, phones) = CallCommand.ReadConfiguration(file, Path.Combine(_root, "data"));

            Assert.Equal(2, phones.Count);
            Assert.Equal(VirtualAnswer.Answer, phones.Find("+15550100081")!.Party.Answer);
            Assert.Equal(VirtualAnswer.Busy, phones.Find("+15550100082")!.Party.Answer);
        }
        finally
        {
            Environment.SetEnvironmentVariable("OPENSMA_VirtualPhones__+15550100082", null);
        }
    }

    [Fact]
    public void ReadConfiguration_BadVirtualPhone_IsABadOptionNamingTheKey()
    {
        var file = Path.Combine(_root, "bad.json");
        File.WriteAllText(file, """{ "VirtualPhones": { "+15550100091": "answer;hangup=never" } }""");

        var error = Assert.Throws<CallScriptException>(() => CallCommand.ReadConfiguration(file, Path.Combine(_root, "data")));

        Assert.Contains("VirtualPhones:+15550100091 hangup: 'never'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VirtualCall_CallAndBridgeToAConfiguredNumber_RingsItsScriptedPhone()
    {
        var beep = WriteBeep("agent.wav");
        var (handlers, events) = BridgingHandler();
        var output = new StringWriter();

        var exit = await VirtualCallRunner.RunAsync(
            Options() with { Fast = true, VirtualPhones = Phones($"answer@1s;say={beep}@0.5s;hangup=4s") },
            output, [handlers], CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(exit == VirtualCallRunner.Ended, $"exit {exit}\n{output}");
        Assert.Equal(["NEW_INBOUND_CALL", "ACTION_SUCCESSFUL", "HANGUP:LEG-B"], events.Take(3));
        // The phone's 1 s beep crossed the bridge to the caller.
        Assert.InRange(LoudFrames(Heard("caller-heard.wav"), minimumRms: 8000), 40, 55);
    }

    [Fact]
    public async Task VirtualCall_ACalleeOptionForTheSameNumber_WinsOverTheConfiguredPhone()
    {
        var (handlers, events) = BridgingHandler();
        var output = new StringWriter();

        var exit = await VirtualCallRunner.RunAsync(
            Options() with
            {
                Fast = true,
                VirtualPhones = Phones("busy"),
                Callees = [CallScript.ParseCallee(Agent + "=answer@1s;hangup=3s")],
            },
            output, [handlers], CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(exit == VirtualCallRunner.Ended, $"exit {exit}\n{output}");
        // The configured phone is busy (CallAndBridge would fail); the --callee answered.
        Assert.Equal(["NEW_INBOUND_CALL", "ACTION_SUCCESSFUL", "HANGUP:LEG-B"], events.Take(3));
    }

    [Fact]
    public async Task VirtualCall_AConfiguredBusyPhone_FailsTheBridge()
    {
        var (handlers, events) = BridgingHandler();
        var output = new StringWriter();

        var exit = await VirtualCallRunner.RunAsync(
            Options() with { Fast = true, VirtualPhones = Phones("busy@1s") },
            output, [handlers], CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(exit == VirtualCallRunner.Ended, $"exit {exit}\n{output}");
        Assert.Equal(["NEW_INBOUND_CALL", "ACTION_FAILED"], events.Take(2));
    }

    [Fact]
    public async Task SipCall_CallAndBridgeToAConfiguredNumber_BridgesTheSipCallerToTheVirtualPhone()
    {
        var agentSays = WriteBeep("agent.wav");
        var callerSays = WriteBeep("caller.wav");
        var (handlers, events) = BridgingHandler();
        var output = new StringWriter();

        var exit = await SipCallRunner.RunAsync(
            Options() with
            {
                Caller = VirtualParty.Answering(CallScript.ParseSay(callerSays + "@3s", "--say")),
                VirtualPhones = Phones($"answer@1s;say={agentSays}@1s;hangup=5s"),
            },
            output, [handlers], CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(3));

        Assert.True(exit == VirtualCallRunner.Ended, $"exit {exit}\n{output}");
        Assert.Equal(["NEW_INBOUND_CALL", "ACTION_SUCCESSFUL", "HANGUP:LEG-B"], events.Take(3));
        // The virtual phone's beep reached the SIP caller over RTP, and the caller's beep (3 s after
        // the caller's answer, once the agent had answered) reached the virtual phone.
        Assert.InRange(LoudFrames(Heard("caller-heard.wav"), minimumRms: 8000), 35, 60);
        Assert.InRange(LoudFrames(Heard("15550100071-heard.wav"), minimumRms: 8000), 35, 60);
    }

    private VirtualCallOptions Options() => new()
    {
        Handler = DelegateHandlerResolver.EndpointFor("bridge"),
        DataDirectory = Path.Combine(_root, "data"),
        Json = true,
        RecordDirectory = Path.Combine(_root, "rec"),
        MaxDuration = TimeSpan.FromMinutes(2),
    };

    private static VirtualPhones Phones(string script) =>
        VirtualPhones.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["VirtualPhones:" + Agent] = script }).Build());

    /// <summary>Bridges the caller to <see cref="Agent"/>, hangs LEG-A up when LEG-B hangs up or the bridge fails; records event types.</summary>
    private static (DelegateHandlerResolver Handlers, ConcurrentQueue<string> Events) BridgingHandler()
    {
        var events = new ConcurrentQueue<string>();
        var handlers = new DelegateHandlerResolver();
        handlers.Register("bridge", (json, _) =>
        {
            var e = JsonDocument.Parse(json).RootElement;
            var type = e.GetProperty("InvocationEventType").GetString()!;
            var tag = e.TryGetProperty("ActionData", out var data) && data.ValueKind == JsonValueKind.Object
                && data.TryGetProperty("Parameters", out var p) && p.TryGetProperty("ParticipantTag", out var t) ? t.GetString() : null;
            events.Enqueue(type == "HANGUP" ? "HANGUP:" + tag : type);
            var reply = type switch
            {
                "NEW_INBOUND_CALL" => $$$"""[{"Type":"CallAndBridge","Parameters":{"CallTimeoutSeconds":20,"CallerIdNumber":"+15559870000","Endpoints":[{"BridgeEndpointType":"PSTN","Uri":"{{{Agent}}}"}]}}]""",
                "HANGUP" when tag == "LEG-B" => """[{"Type":"Hangup","Parameters":{"ParticipantTag":"LEG-A","SipResponseCode":"0"}}]""",
                "ACTION_FAILED" => """[{"Type":"Hangup","Parameters":{"ParticipantTag":"LEG-A","SipResponseCode":"0"}}]""",
                _ => "[]",
            };
            return ValueTask.FromResult<ReadOnlyMemory<byte>>(Encoding.UTF8.GetBytes($$"""{"SchemaVersion":"1.0","Actions":{{reply}}}"""));
        });
        return (handlers, events);
    }

    private string WriteBeep(string name)
    {
        var path = Path.Combine(_root, name);
        File.WriteAllBytes(path, WavWriter.WriteMono(ToneGenerator.Beep(TimeSpan.FromSeconds(1)).Samples.Span));
        return path;
    }

    private PcmAudio Heard(string file) => WavReader.Decode(File.ReadAllBytes(Path.Combine(_root, "rec", file))).Audio!;

    /// <summary>20 ms frames louder than <paramref name="minimumRms"/> (the beep is at half scale; ringback is far quieter).</summary>
    private static int LoudFrames(PcmAudio audio, double minimumRms)
    {
        var loud = 0;
        for (var i = 0; i + PcmAudio.SamplesPerFrame <= audio.Length; i += PcmAudio.SamplesPerFrame)
        {
            loud += AudioLevels.Rms(audio.Samples.Span.Slice(i, PcmAudio.SamplesPerFrame)) > minimumRms ? 1 : 0;
        }

        return loud;
    }
}
