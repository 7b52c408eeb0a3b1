using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Engine;
using OpenSma.Engine.Control;
using OpenSma.Engine.Invocation;
using OpenSma.Engine.Legs;
using OpenSma.Engine.Runtime;
using OpenSma.Engine.Virtual;
using OpenSma.Host.Calls;
using OpenSma.Host.Cli;
using OpenSma.Host.Metrics;
using OpenSma.Media.Audio;
using OpenSma.Storage.Objects;
using OpenSma.Testing;

namespace OpenSma.Host.Tests.Calls;

/// <summary>
/// serve's <c>VirtualPhones</c> section: parsing and start-up validation, the leg factory's
/// precedence (configured virtual phones first, everything else to the fallback), and a whole
/// CallAndBridge to a scripted virtual phone on virtual time.
/// </summary>
public sealed class VirtualPhonesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("opensma-vphones-test-").FullName;

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
    public void Read_MapOfScripts_ParsesEachPhoneInTheCalleeSyntax()
    {
        var wav = WriteTone("agent.wav", TimeSpan.FromSeconds(1));
        var phones = VirtualPhones.Read(Configuration(new()
        {
            ["VirtualPhones:+15550100001"] = $"answer@2s;say={wav}@0.5s;digits=1@3s,2;hangup=10s",
            ["VirtualPhones:+15550100002"] = "busy@1s",
            ["VirtualPhones:+15550100003"] = "reject:486",
            ["VirtualPhones:+15550100004"] = "noanswer",
        }));

        Assert.Equal(4, phones.Count);
        var agent = phones.Find("+15550100001")!;
        Assert.Equal(VirtualAnswer.Answer, agent.Party.Answer);
        Assert.Equal(TimeSpan.FromSeconds(2), agent.Party.RingFor);
        Assert.Equal(TimeSpan.FromSeconds(0.5), Assert.IsType<SayCue>(agent.Party.Cues[0]).At);
        Assert.Equal(['1', '2'], agent.Party.Cues.OfType<DigitCue>().Select(d => d.Digit));
        Assert.Equal(TimeSpan.FromSeconds(10), agent.Party.Cues.OfType<HangupCue>().Single().At);
        Assert.StartsWith("answer@2s;say=", agent.Script, StringComparison.Ordinal);
        Assert.Equal(VirtualAnswer.Busy, phones.Find("+15550100002")!.Party.Answer);
        Assert.Equal(486, phones.Find("+15550100003")!.Party.RejectCode);
        Assert.Equal(VirtualAnswer.NoAnswer, phones.Find("+15550100004")!.Party.Answer);
        Assert.Null(phones.Find("+15550100005"));
    }

    [Fact]
    public void Read_KeysReadAsNumberRoutingReadsThem_AndDialledTargetsToo()
    {
        var file = Path.Combine(_root, "numbers.json");
        // A key with ':' (tel:, sip:) is split into nested sections by the configuration; it still reads as one number.
        File.WriteAllText(file, """
            { "VirtualPhones": {
                "tel:+1-555-010-0003": "busy",
                "+1 555 010 0004": "reject:486",
                "15550100005": "noanswer",
                "sip:+15550100006;user=phone@pbx.example.com:5060": "answer@1s" } }
            """);

        var phones = VirtualPhones.Read(ServeConfiguration.Load(file));

        Assert.Equal(["+15550100003", "+15550100004", "+15550100005", "+15550100006"], phones.Phones.Select(p => p.Number).Order(StringComparer.Ordinal));
        Assert.Equal("tel:+1-555-010-0003", phones.Find("+15550100003")!.Key);
        Assert.Equal("sip:+15550100006;user=phone@pbx.example.com:5060", phones.Find("+15550100006")!.Key);
        Assert.Equal(VirtualAnswer.Busy, phones.Find("tel:+15550100003")!.Party.Answer);
        Assert.Equal(486, phones.Find("+1 (555) 010-0004")!.Party.RejectCode);
        Assert.Equal(VirtualAnswer.NoAnswer, phones.Find("sip:+15550100005@127.0.0.1:5060")!.Party.Answer);
        Assert.Equal(VirtualAnswer.Answer, phones.Find("<sip:15550100006@pbx.example.com>")!.Party.Answer);
        Assert.Null(phones.Find("+15550100007"));
        Assert.Null(phones.Find("sip:alice@pbx.example.com"));
    }

    [Theory]
    [InlineData("+15550100001", "tel:+15550100001")]
    [InlineData("+15550100001", "+1 555 010 0001")]
    [InlineData("15550100001", "sip:+15550100001@pbx.example.com")]
    public void Read_TwoKeysForOneNumber_FailsNamingBoth(string first, string second)
    {
        var error = Assert.Throws<InvalidOperationException>(() => VirtualPhones.Read(Configuration(new()
        {
            ["VirtualPhones:" + first] = "answer",
            ["VirtualPhones:" + second] = "busy",
        })));

        Assert.Contains("+15550100001, which '", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{first}'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{second}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("keep one of them", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LegFactory_TargetsThatReadAsTheNumber_RingThePhone_AndKeepTheTargetAsDialled()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using var network = new VirtualNetwork(time);
        using var fallback = new VirtualNetwork(time);
        var phones = VirtualPhones.Read(Configuration(new() { ["VirtualPhones:tel:+1-555-010-0001"] = "answer@1s" }));
        var factory = new VirtualPhoneLegFactory(network, time, phones, fallback, NullLogger.Instance);

        var dialled = new[] { "+15550100001", "15550100001", "sip:+15550100001@127.0.0.1", "tel:+15550100001" };
        var legs = dialled.Select(to => factory.CreateOutbound(new OutboundLegRequest("+15559870000", to, null))).ToList();

        Assert.Equal(legs, factory.PhoneLegs);
        Assert.Equal(dialled, legs.Select(l => l.To));
        Assert.Empty(fallback.Legs);
        Assert.Equal(4, factory.ConfiguredPhoneLegs);
    }

    [Fact]
    public void Read_AbsentOrEmpty_IsNoPhones()
    {
        Assert.Equal(0, VirtualPhones.Read(null).Count);
        Assert.Equal(0, VirtualPhones.Read(Configuration(new() { ["Telephony:MediaClocks"] = "2" })).Count);
        Assert.Equal(0, VirtualPhones.Read(Configuration(new() { ["VirtualPhones"] = "" })).Count);
    }

    [Theory]
    [InlineData("+1", "answer", "VirtualPhones:+1: '+1' is not a phone number")]
    [InlineData("+0155501000", "answer", "VirtualPhones:+0155501000: '+0155501000' is not a phone number")]
    [InlineData("agent", "answer", "VirtualPhones:agent: 'agent' is not a phone number")]
    [InlineData("sip:agent@pbx.example.com", "answer", "VirtualPhones:sip:agent@pbx.example.com: 'sip:agent@pbx.example.com' is not a phone number")]
    [InlineData("+15550100001", "pickup@2s", "VirtualPhones:+15550100001: 'pickup' is not answer, busy, noanswer or reject")]
    [InlineData("+15550100001", "answer@soon", "VirtualPhones:+15550100001: 'soon' is not a duration")]
    [InlineData("+15550100001", "answer;hangup=later", "VirtualPhones:+15550100001 hangup: 'later' is not a duration")]
    [InlineData("+15550100001", "answer;digits=1,X", "VirtualPhones:+15550100001 digits: 'X' is not a digit")]
    [InlineData("+15550100001", "answer;say=/no/such/agent.wav@1s", "VirtualPhones:+15550100001 say: the file '/no/such/agent.wav' does not exist")]
    [InlineData("+15550100001", "answer;dance=yes", "VirtualPhones:+15550100001: unknown item 'dance'")]
    [InlineData("+15550100001", "reject:99", "VirtualPhones:+15550100001: '99' is not a SIP error code")]
    [InlineData("+15550100001", " ; ", "VirtualPhones:+15550100001: ' ; ' says nothing about how the phone answers")]
    public void Read_BadEntry_FailsNamingTheKeyAndTheBadPart(string number, string script, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() => VirtualPhones.Read(Configuration(new() { ["VirtualPhones:" + number] = script })));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SayFileThatIsNotAWav_FailsNamingTheKey()
    {
        var path = Path.Combine(_root, "notes.wav");
        File.WriteAllText(path, "not audio");

        var error = Assert.Throws<InvalidOperationException>(() => VirtualPhones.Read(Configuration(new() { ["VirtualPhones:+15550100001"] = $"answer;say={path}" })));

        Assert.StartsWith("VirtualPhones:+15550100001 say:", error.Message, StringComparison.Ordinal);
        Assert.Contains("not a usable WAV", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NestedSectionOrPlainValue_IsAClearError()
    {
        var nested = Assert.Throws<InvalidOperationException>(() => VirtualPhones.Read(Configuration(new() { ["VirtualPhones:+15550100001:Answer"] = "answer" })));
        var plain = Assert.Throws<InvalidOperationException>(() => VirtualPhones.Read(Configuration(new() { ["VirtualPhones"] = "+15550100001=answer" })));

        Assert.Contains("VirtualPhones:+15550100001 must be a script string", nested.Message, StringComparison.Ordinal);
        Assert.Contains("VirtualPhones must map E.164 numbers to phone scripts", plain.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EnvironmentVariable_AddsAndOverridesPhones()
    {
        var file = Path.Combine(_root, "opensma.json");
        File.WriteAllText(file, """{ "VirtualPhones": { "+15550100011": "answer@2s", "+15550100012": "answer" } }""");
        // '+' is legal in an environment variable's name (env and docker -e pass it; a shell's export refuses it).
        Environment.SetEnvironmentVariable("OPENSMA_VirtualPhones__+15550100012", "busy");
        Environment.SetEnvironmentVariable("OPENSMA_VirtualPhones__+15550100013", "reject:404");
        try
        {
            var phones = VirtualPhones.Read(ServeConfiguration.Load(file));

            Assert.Equal(3, phones.Count);
            Assert.Equal(VirtualAnswer.Answer, phones.Find("+15550100011")!.Party.Answer);
            Assert.Equal(VirtualAnswer.Busy, phones.Find("+15550100012")!.Party.Answer);
            Assert.Equal(404, phones.Find("+15550100013")!.Party.RejectCode);
        }
        finally
        {
            Environment.SetEnvironmentVariable("OPENSMA_VirtualPhones__+15550100012", null);
            Environment.SetEnvironmentVariable("OPENSMA_VirtualPhones__+15550100013", null);
        }
    }

    [Fact]
    public void ServeBuild_BadVirtualPhone_StopsStartUpNamingTheKey()
    {
        var configuration = Configuration(new() { ["VirtualPhones:+15550100001"] = "answer;hangup=never" });

        var error = Assert.Throws<InvalidOperationException>(() => ServeCommand.Build(Path.Combine(_root, "data"), "http://127.0.0.1:0", "127.0.0.1", sipPort: 0, configuration));

        Assert.Contains("VirtualPhones:+15550100001 hangup: 'never'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServeBuild_WithoutSip_TheEngineRingsTheConfiguredPhones()
    {
        var configuration = Configuration(new() { ["VirtualPhones:+15550100001"] = "busy" });
        await using var app = ServeCommand.Build(Path.Combine(_root, "data"), "http://127.0.0.1:0", "127.0.0.1", sipPort: 0, configuration);

        var factory = Assert.IsType<VirtualPhoneLegFactory>(app.Services.GetRequiredService<ICallLegFactory>());
        Assert.False(factory.SipFallback);
        Assert.Equal(VirtualAnswer.Busy, factory.Phones.Find("+15550100001")!.Party.Answer);
    }

    [Fact]
    public void LegFactory_ConfiguredNumbersRingVirtualPhones_EveryOtherNumberGoesToTheFallback()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using var network = new VirtualNetwork(time);
        // The fallback stands where serve puts the SIP leg factory: a real factory whose legs we can tell apart.
        using var fallback = new VirtualNetwork(time);
        var phones = VirtualPhones.Read(Configuration(new() { ["VirtualPhones:+15550100001"] = "answer@1s" }));
        var factory = new VirtualPhoneLegFactory(network, time, phones, fallback, NullLogger.Instance);

        var toPhone = factory.CreateOutbound(new OutboundLegRequest("+15559870000", "+15550100001", null));
        var toOther = factory.CreateOutbound(new OutboundLegRequest("+15559870000", "+15550100002", null));
        var toOtherUri = factory.CreateOutbound(new OutboundLegRequest("+15559870000", "sip:+15550100002@127.0.0.1", null));
        var toAlice = factory.CreateOutbound(new OutboundLegRequest("+15559870000", "sip:alice@127.0.0.1", null));

        Assert.True(factory.SipFallback);
        Assert.Same(toPhone, Assert.Single(factory.PhoneLegs));
        Assert.Equal("+15550100001", toPhone.To);
        Assert.Empty(network.Legs);
        Assert.Equal([toOther, toOtherUri, toAlice], fallback.Legs);
        Assert.Equal(1, factory.ConfiguredPhoneLegs);
        Assert.Equal(1, factory.VirtualLegs);
    }

    [Fact]
    public void LegFactory_WithoutFallback_OtherNumbersRingTheDefaultParty()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using var network = new VirtualNetwork(time);
        var phones = VirtualPhones.Read(Configuration(new() { ["VirtualPhones:+15550100001"] = "busy" }));
        var factory = new VirtualPhoneLegFactory(network, time, phones, sip: null, NullLogger.Instance);

        var busy = factory.CreateOutbound(new OutboundLegRequest("+15559870000", "+15550100001", null));
        var other = factory.CreateOutbound(new OutboundLegRequest("+15559870000", "+15550100002", null));

        Assert.Same(busy, Assert.Single(factory.PhoneLegs));
        Assert.Same(other, Assert.Single(network.Legs));
        Assert.Equal(1, factory.ConfiguredPhoneLegs);
        Assert.Equal(2, factory.VirtualLegs);
    }

    [Fact]
    public async Task CallAndBridge_ToAConfiguredPhone_CallerHearsItsSay_PhoneHangsUpOnItsScript_AndEverythingEnds()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
        using var network = new VirtualNetwork(time);
        var wav = WriteTone("agent.wav", TimeSpan.FromSeconds(2));
        var phones = VirtualPhones.Read(Configuration(new() { ["VirtualPhones:+15550100001"] = $"answer@1s;say={wav}@0.5s;digits=7@3s;hangup=5s" }));
        var factory = new VirtualPhoneLegFactory(network, time, phones, sip: null, NullLogger.Instance);
        var events = new ConcurrentQueue<JsonElement>();
        var handlers = new DelegateHandlerResolver();
        handlers.Register("h", (json, _) =>
        {
            var e = JsonDocument.Parse(json).RootElement.Clone();
            events.Enqueue(e);
            var reply = (Type(e), Tag(e)) switch
            {
                ("NEW_INBOUND_CALL", _) => """[{"Type":"CallAndBridge","Parameters":{"CallTimeoutSeconds":30,"CallerIdNumber":"+15551230000","Endpoints":[{"BridgeEndpointType":"PSTN","Uri":"+15550100001"}]}}]""",
                ("HANGUP", "LEG-B") => """[{"Type":"Hangup","Parameters":{"ParticipantTag":"LEG-A","SipResponseCode":"0"}}]""",
                _ => "[]",
            };
            return ValueTask.FromResult<ReadOnlyMemory<byte>>(Encoding.UTF8.GetBytes($$"""{"SchemaVersion":"1.0","Actions":{{reply}}}"""));
        });
        var counters = new EngineCounters();
        var engine = new CallEngine(new EngineOptions(), time, new FolderObjectStore(_root), factory, [handlers]) { DefaultTrace = counters };
        var metrics = new ServeMetrics(engine, counters, virtualPhones: factory);
        var caller = network.CreateInbound("+15559870000", "+15551230000", VirtualParty.Answering());
        var application = new SipMediaApplicationRef("sma-1", "111122223333", "us-east-1", DelegateHandlerResolver.EndpointFor("h"));

        var transaction = engine.StartInboundCall(application, caller, "rule-1");
        var driver = new VirtualTimeDriver(engine.Activity, time.Advance) { IdleTimeout = TimeSpan.FromSeconds(20) };
        Assert.True(await driver.RunUntilAsync(() => transaction.Completion.IsCompleted, TimeSpan.FromMinutes(2)));
        var after = OpenSma.Host.Tests.Metrics.ServeMetricsTests.Samples(metrics.Render());

        Assert.Equal(["NEW_INBOUND_CALL", "ACTION_SUCCESSFUL:CallAndBridge", "HANGUP:LEG-B"], events.Take(3).Select(Describe));
        Assert.Equal("all legs ended", await transaction.Completion);
        // The phone's 2 s say (0.5 s after it answered) crossed the bridge: about 100 frames of its
        // 1 kHz tone (the caller also heard ringback while the phone rang, in other frequencies).
        var heard = caller.Heard();
        Assert.InRange(ToneFrames(heard, 1000), 90, 105);
        Assert.True(LoudFrames(heard) > ToneFrames(heard, 1000), "no ringback before the virtual phone answered");
        // So did its digit: the engine relays a bridged leg's DTMF to the other leg.
        Assert.Equal("7", caller.DigitsHeard());
        Assert.Equal(LegState.Ended, caller.State);
        Assert.All(network.Legs.Concat(factory.PhoneLegs), leg => Assert.Equal(LegState.Ended, leg.State));
        Assert.Equal(1, after["opensma_virtual_phone_legs_total"]);
        Assert.Equal(1, after["opensma_virtual_legs_total"]);
        Assert.Equal(0, after["opensma_virtual_legs"]);
        Assert.Equal(0, after["opensma_call_transactions"]);
    }

    private static string Type(JsonElement e) => e.GetProperty("InvocationEventType").GetString()!;

    private static string? Tag(JsonElement e) =>
        e.TryGetProperty("ActionData", out var data) && data.ValueKind == JsonValueKind.Object
        && data.TryGetProperty("Parameters", out var p) && p.TryGetProperty("ParticipantTag", out var tag) ? tag.GetString() : null;

    private static string Describe(JsonElement e) => Type(e) switch
    {
        "HANGUP" => "HANGUP:" + Tag(e),
        var t when t.StartsWith("ACTION_", StringComparison.Ordinal) => t + ":" + e.GetProperty("ActionData").GetProperty("Type").GetString(),
        var t => t,
    };

    private static int LoudFrames(PcmAudio audio)
    {
        var samples = audio.Samples.Span;
        var loud = 0;
        for (var i = 0; i + PcmAudio.SamplesPerFrame <= samples.Length; i += PcmAudio.SamplesPerFrame)
        {
            if (AudioLevels.Rms(samples.Slice(i, PcmAudio.SamplesPerFrame)) > 1000)
            {
                loud++;
            }
        }

        return loud;
    }

    /// <summary>20 ms frames carrying <paramref name="frequency"/> Hz at -20 dBFS or louder (Goertzel).</summary>
    private static int ToneFrames(PcmAudio audio, double frequency)
    {
        var samples = audio.Samples.Span;
        var coefficient = 2 * Math.Cos(2 * Math.PI * frequency / PcmAudio.SampleRate);
        var frames = 0;
        for (var i = 0; i + PcmAudio.SamplesPerFrame <= samples.Length; i += PcmAudio.SamplesPerFrame)
        {
            double s1 = 0, s2 = 0;
            foreach (var x in samples.Slice(i, PcmAudio.SamplesPerFrame))
            {
                var s0 = x + (coefficient * s1) - s2;
                s2 = s1;
                s1 = s0;
            }

            var amplitude = 2 * Math.Sqrt(Math.Max(0, (s1 * s1) + (s2 * s2) - (coefficient * s1 * s2))) / PcmAudio.SamplesPerFrame;
            if (amplitude > 0.1 * short.MaxValue)
            {
                frames++;
            }
        }

        return frames;
    }

    private string WriteTone(string name, TimeSpan duration)
    {
        var samples = new short[PcmAudio.SamplesFor(duration)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)(0.3 * short.MaxValue * Math.Sin(2 * Math.PI * 1000 * i / PcmAudio.SampleRate));
        }

        var path = Path.Combine(_root, name);
        File.WriteAllBytes(path, WavWriter.WriteMono(samples));
        return path;
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
