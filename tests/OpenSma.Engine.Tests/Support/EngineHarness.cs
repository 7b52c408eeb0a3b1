using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Engine.Control;
using OpenSma.Engine.Invocation;
using OpenSma.Engine.Runtime;
using OpenSma.Engine.Transactions;
using OpenSma.Engine.Virtual;
using OpenSma.Media.Audio;
using OpenSma.Storage.Objects;

namespace OpenSma.Engine.Tests.Support;

/// <summary>
/// An engine on virtual time with virtual phones, a temporary bucket folder and a scripted
/// in-process handler that records every event it receives.
/// </summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    public const string Caller = "+15559870000";
    public const string Called = "+15551230000";
    public const string Bucket = "prompts-bucket";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "opensma-tests-" + Guid.NewGuid().ToString("N"));

    public EngineHarness(EngineOptions? options = null)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        Network = new VirtualNetwork(Time);
        Store = new FolderObjectStore(_root);
        Store.CreateBucket(Bucket);
        Store.CreateBucket("recordings-bucket");
        Handlers = new DelegateHandlerResolver();
        Handlers.Register("test", (json, ct) => Handler.HandleAsync(json, ct));
        Engine = new CallEngine(options ?? new EngineOptions(), Time, Store, Network, [Handlers]) { DefaultTrace = Trace };
        Driver = new VirtualTimeDriver(Engine.Activity, Time.Advance) { IdleTimeout = TimeSpan.FromSeconds(20) };
        Application = new SipMediaApplicationRef("sma-1", "111122223333", "us-east-1", DelegateHandlerResolver.EndpointFor("test"));
    }

    public FakeTimeProvider Time { get; }

    public VirtualNetwork Network { get; }

    public FolderObjectStore Store { get; }

    public DelegateHandlerResolver Handlers { get; }

    public CallEngine Engine { get; }

    public VirtualTimeDriver Driver { get; }

    public ScriptedHandler Handler { get; } = new();

    public RecordingTrace Trace { get; } = new();

    public SipMediaApplicationRef Application { get; }

    /// <summary>Writes a WAV prompt of a tone of the given length into the prompts bucket.</summary>
    public string AddPrompt(string key, TimeSpan length)
    {
        var wav = WavWriter.WriteMono(ToneGenerator.Beep(length, 440).Samples.Span);
        File.WriteAllBytes(Path.Combine(Store.Root, Bucket, key), wav);
        return key;
    }

    public (CallTransaction Transaction, VirtualLeg Leg) StartInbound(params VirtualCue[] cues) =>
        StartInbound(VirtualParty.Answering(cues));

    public (CallTransaction Transaction, VirtualLeg Leg) StartInbound(VirtualParty caller, IReadOnlyDictionary<string, string>? headers = null)
    {
        var leg = Network.CreateInbound(Caller, Called, caller, headers);
        var transaction = Engine.StartInboundCall(Application, leg, "rule-1");
        return (transaction, leg);
    }

    /// <summary>Drives virtual time until the transaction ends; fails the test if it does not within the limit.</summary>
    public async Task<string> RunToEndAsync(CallTransaction transaction, TimeSpan? limit = null)
    {
        var ended = await Driver.RunUntilAsync(() => transaction.Completion.IsCompleted, limit ?? TimeSpan.FromMinutes(5));
        Assert.True(ended, "the transaction did not end; events: " + string.Join(", ", Handler.EventTypes));
        return await transaction.Completion;
    }

    public Task RunForAsync(TimeSpan duration) => Driver.RunForAsync(duration);

    public Task<bool> RunUntilAsync(Func<bool> condition, TimeSpan? limit = null) =>
        Driver.RunUntilAsync(condition, limit ?? TimeSpan.FromMinutes(5));

    public async ValueTask DisposeAsync()
    {
        foreach (var transaction in Engine.Transactions)
        {
            transaction.Abort("test over");
        }

        await Driver.RunUntilAsync(() => Engine.ActiveTransactions == 0, TimeSpan.FromSeconds(5));
        Network.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A handler whose replies are scripted per event; records every event as parsed JSON.</summary>
internal sealed class ScriptedHandler
{
    private readonly ConcurrentQueue<JsonElement> _events = new();
    private readonly List<JsonElement> _ordered = [];

    /// <summary>Computes the reply JSON for an event; null means "reply with no actions".</summary>
    public Func<JsonElement, string?> Reply { get; set; } = _ => ActionList();

    /// <summary>Optional async behaviour (delays, hangs) before replying.</summary>
    public Func<JsonElement, CancellationToken, Task>? Before { get; set; }

    public IReadOnlyList<JsonElement> Events
    {
        get
        {
            lock (_ordered)
            {
                return [.. _ordered];
            }
        }
    }

    public IReadOnlyList<string> EventTypes => [.. Events.Select(e => e.GetProperty("InvocationEventType").GetString()!)];

    public int Invocations { get; private set; }

    public async ValueTask<ReadOnlyMemory<byte>> HandleAsync(ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        var element = JsonDocument.Parse(json).RootElement.Clone();
        Invocations++;
        lock (_ordered)
        {
            // A retried attempt delivers the same Sequence again; keep each event once.
            var sequence = element.GetProperty("Sequence").GetInt32();
            if (!_ordered.Exists(e => e.GetProperty("Sequence").GetInt32() == sequence))
            {
                _ordered.Add(element);
            }
        }

        if (Before is not null)
        {
            await Before(element, cancellationToken);
        }

        return Encoding.UTF8.GetBytes(Reply(element) ?? ActionList());
    }

    /// <summary>A reply with the given actions (each a JSON object text).</summary>
    public static string ActionList(params string[] actions) =>
        "{\"SchemaVersion\":\"1.0\",\"Actions\":[" + string.Join(",", actions) + "]}";

    public static string WithAttributes(string attributesJson, params string[] actions) =>
        "{\"SchemaVersion\":\"1.0\",\"Actions\":[" + string.Join(",", actions) + "],\"TransactionAttributes\":" + attributesJson + "}";
}

/// <summary>Collects the trace lines for assertions and failure messages.</summary>
internal sealed class RecordingTrace : ITransactionTrace
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public void ActionStarted(string transactionId, OpenSma.Engine.Contracts.ActionRequest action, string? callId) => Lines.Enqueue("start " + action.Type);

    public void ActionEnded(string transactionId, OpenSma.Engine.Contracts.ActionRequest action, string outcome) => Lines.Enqueue($"end {action.Type}: {outcome}");

    public void ReplyRejected(string transactionId, int sequence, string reason) => Lines.Enqueue($"rejected {sequence}: {reason}");

    public void Ended(string transactionId, string reason) => Lines.Enqueue("ended: " + reason);

    public void FailedOver(string transactionId, SipMediaApplicationRef from, SipMediaApplicationRef to, string reason) =>
        Lines.Enqueue($"failover {from.SipMediaApplicationId} -> {to.SipMediaApplicationId}: {reason}");
}

internal static class A
{
    public static string Pause(int ms, string extra = "") => $"{{\"Type\":\"Pause\",\"Parameters\":{{\"DurationInMilliseconds\":{ms}{extra}}}}}";

    public static string Play(string key, string extra = "") =>
        $"{{\"Type\":\"PlayAudio\",\"Parameters\":{{\"AudioSource\":{{\"Type\":\"S3\",\"BucketName\":\"{EngineHarness.Bucket}\",\"Key\":\"{key}\"}}{extra}}}}}";

    public static string Hangup(string extra = "") =>
        "{\"Type\":\"Hangup\",\"Parameters\":{\"SipResponseCode\":\"0\"" + (extra.Length > 0 && extra[0] != ',' ? "," + extra : extra) + "}}";

    public static string Action(string type, string parametersJson) => $"{{\"Type\":\"{type}\",\"Parameters\":{parametersJson}}}";
}

internal static class JsonExtensions
{
    public static string Type(this JsonElement e) => e.GetProperty("InvocationEventType").GetString()!;

    public static JsonElement ActionData(this JsonElement e) => e.GetProperty("ActionData");

    public static string? Str(this JsonElement e, string path)
    {
        foreach (var part in path.Split('.'))
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(part, out e))
            {
                return null;
            }
        }

        return e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText();
    }

    public static JsonElement[] Participants(this JsonElement e) =>
        [.. e.GetProperty("CallDetails").GetProperty("Participants").EnumerateArray()];
}
