using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Engine;
using OpenSma.Engine.Control;
using OpenSma.Engine.Invocation;
using OpenSma.Engine.Runtime;
using OpenSma.Engine.Speech;
using OpenSma.Engine.Virtual;
using OpenSma.Media.Audio;
using OpenSma.Speech.Caching;
using OpenSma.Speech.Tests.Support;
using OpenSma.Storage.Objects;

namespace OpenSma.Speech.Tests.Calls;

/// <summary>
/// Whole calls through the engine with espeak-ng as the speech backend: a virtual phone on virtual
/// time hears the speech and presses keys while it plays.
/// </summary>
public sealed class SpokenCallTests : IAsyncDisposable
{
    private const string Prompt =
        "<speak>Please enter your <say-as interpret-as=\"characters\">PIN</say-as>, <break time=\"300ms\"/> then press pound.</speak>";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "opensma-speech-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private readonly VirtualNetwork _network;
    private readonly CallEngine _engine;
    private readonly VirtualTimeDriver _driver;
    private readonly ISpeechSynthesizer _speech;
    private readonly List<JsonElement> _events = [];
    private Func<JsonElement, string> _reply = _ => "[]";

    public SpokenCallTests()
    {
        _speech = new CachingSpeechSynthesizer(Support.Espeak.Synthesizer(), 1 << 24);
        _network = new VirtualNetwork(_time);
        var handlers = new DelegateHandlerResolver();
        handlers.Register("ivr", HandleAsync);
        _engine = new CallEngine(new EngineOptions { Speech = _speech }, _time, new FolderObjectStore(_root), _network, [handlers]);
        _driver = new VirtualTimeDriver(_engine.Activity, _time.Advance) { IdleTimeout = TimeSpan.FromSeconds(60) };
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var transaction in _engine.Transactions)
        {
            transaction.Abort("test over");
        }

        await _driver.RunUntilAsync(() => _engine.ActiveTransactions == 0, TimeSpan.FromSeconds(5));
        _network.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task SpeakAndGetDigits_KeysPressedDuringSpeech_CollectedAndSpeechStops()
    {
        var full = await Support.Espeak.SpeakAsync(_speech, Prompt, SpeechTextType.Ssml);
        Assert.True(full.Duration > TimeSpan.FromSeconds(2.5), $"the prompt is long enough to be interrupted ({full.Duration})");

        _reply = e => Type(e) == "NEW_INBOUND_CALL"
            ? Actions(
                "{\"Type\":\"SpeakAndGetDigits\",\"Parameters\":{\"CallId\":\"" + LegA(e) + "\",\"InputDigitsRegex\":\"^\\\\d{4}$\","
                + "\"SpeechParameters\":{\"Text\":" + JsonSerializer.Serialize(Prompt) + ",\"TextType\":\"ssml\",\"VoiceId\":\"Matthew\"},"
                + "\"FailureSpeechParameters\":{\"Text\":\"<speak>Sorry, that was not four digits.</speak>\"},"
                + "\"MinNumberOfDigits\":4,\"MaxNumberOfDigits\":4,\"RepeatDurationInMilliseconds\":5000}}")
            : Actions(Hangup(e));
        var leg = await RunCallAsync(
            new DigitCue(TimeSpan.FromSeconds(1.0), '1'),
            new DigitCue(TimeSpan.FromSeconds(1.3), '2'),
            new DigitCue(TimeSpan.FromSeconds(1.6), '3'),
            new DigitCue(TimeSpan.FromSeconds(1.9), '4'));

        var success = Assert.Single(_events, e => Type(e) == "ACTION_SUCCESSFUL" || Type(e) == "ACTION_FAILED");
        Assert.True(Type(success) == "ACTION_SUCCESSFUL", success.GetRawText());
        var data = success.GetProperty("ActionData");
        Assert.Equal("SpeakAndGetDigits", data.GetProperty("Type").GetString());
        Assert.Equal("1234", data.GetProperty("ReceivedDigits").GetString());
        // Unset failure settings follow the main prompt's (spec §7.14), TextType included.
        Assert.Equal("Matthew", data.GetProperty("Parameters").GetProperty("FailureSpeechParameters").GetProperty("VoiceId").GetString());
        Assert.Equal("ssml", data.GetProperty("Parameters").GetProperty("FailureSpeechParameters").GetProperty("TextType").GetString());

        var heard = leg.Heard().Samples.Span;
        Assert.True(Signal.Rms(heard[(int)(0.1 * 8000)..(int)(0.95 * 8000)]) > 300, "the caller heard speech before the first key");
        Assert.True(Signal.Rms(heard[(int)(1.1 * 8000)..(int)(1.9 * 8000)]) < 30, "the first key stopped the speech");
    }

    [Fact]
    public async Task Speak_Sentence_CallerHearsAllOfIt()
    {
        const string sentence = "Thank you for calling OpenSMA. Goodbye.";
        var expected = await Support.Espeak.SpeakAsync(_speech, sentence, voice: "Amy");
        _reply = e => Type(e) == "NEW_INBOUND_CALL"
            ? Actions("{\"Type\":\"Speak\",\"Parameters\":{\"CallId\":\"" + LegA(e) + "\",\"Text\":\"" + sentence + "\",\"VoiceId\":\"Amy\"}}", Hangup(e))
            : Actions();
        var leg = await RunCallAsync();

        Assert.DoesNotContain(_events, e => Type(e) == "ACTION_FAILED");
        var heard = leg.Heard();
        Assert.InRange(heard.Length, expected.Length, expected.Length + 2 * PcmAudio.SamplesPerFrame);
        Assert.InRange(Signal.Rms(heard.Samples.Span[..expected.Length]) / Signal.Rms(expected.Samples.Span), 0.99, 1.01);
    }

    private async Task<VirtualLeg> RunCallAsync(params VirtualCue[] cues)
    {
        var leg = _network.CreateInbound("+15559870000", "+15551230000", VirtualParty.Answering(cues));
        var transaction = _engine.StartInboundCall(
            new SipMediaApplicationRef("sma-1", "111122223333", "us-east-1", DelegateHandlerResolver.EndpointFor("ivr")), leg, "rule-1");
        var ended = await _driver.RunUntilAsync(() => transaction.Completion.IsCompleted, TimeSpan.FromMinutes(2));
        Assert.True(ended, "the call did not end; events: " + string.Join(", ", _events.Select(Type)));
        return leg;
    }

    private ValueTask<ReadOnlyMemory<byte>> HandleAsync(ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        var e = JsonDocument.Parse(json).RootElement.Clone();
        lock (_events)
        {
            _events.Add(e);
        }

        return ValueTask.FromResult<ReadOnlyMemory<byte>>(Encoding.UTF8.GetBytes(_reply(e)));
    }

    private static string Type(JsonElement e) => e.GetProperty("InvocationEventType").GetString()!;

    private static string LegA(JsonElement e) =>
        e.GetProperty("CallDetails").GetProperty("Participants")[0].GetProperty("CallId").GetString()!;

    private static string Hangup(JsonElement e) =>
        "{\"Type\":\"Hangup\",\"Parameters\":{\"CallId\":\"" + LegA(e) + "\",\"SipResponseCode\":\"0\"}}";

    private static string Actions(params string[] actions) => "{\"SchemaVersion\":\"1.0\",\"Actions\":[" + string.Join(",", actions) + "]}";
}
