using System.Globalization;
using System.Text;
using System.Text.Json;
using OpenSma.Engine.Contracts;
using OpenSma.Engine.Invocation;
using OpenSma.Engine.Transactions;

namespace OpenSma.Host.Calls;

/// <summary>
/// The event/action ladder of <c>opensma call</c>: each event sent, the handler's actions and
/// attributes, each action and leg change, with the time since the call started. With
/// <c>--json</c> every line is a JSON object instead (one per line), for tools and tests.
/// </summary>
internal sealed class LadderTrace(TextWriter output, TimeProvider time, bool json, bool verbose) : ITransactionTrace
{
    private readonly DateTimeOffset _start = time.GetUtcNow();
    private readonly Lock _gate = new();

    public int ActionFailures { get; private set; }

    private string Elapsed => (time.GetUtcNow() - _start).TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture).PadLeft(8) + "s";

    public void EventSent(string transactionId, InvocationEvent invocationEvent, ReadOnlyMemory<byte> eventJson)
    {
        if (invocationEvent.InvocationEventType == EventTypes.ActionFailed)
        {
            ActionFailures++;
        }

        if (json)
        {
            Json("event", w =>
            {
                w.WriteString("type", invocationEvent.InvocationEventType);
                w.WriteNumber("sequence", invocationEvent.Sequence);
                w.WritePropertyName("event");
                using var doc = JsonDocument.Parse(eventJson);
                doc.RootElement.WriteTo(w);
            });
            return;
        }

        var line = new StringBuilder($"{Elapsed}  → {invocationEvent.InvocationEventType,-24} seq {invocationEvent.Sequence}");
        if (invocationEvent.ActionData is { } data)
        {
            line.Append("  ").Append(data.Type);
            foreach (var (name, value) in data.Results)
            {
                line.Append(' ').Append(name).Append('=').Append(value?.ToJsonString());
            }

            if (data.ErrorType is not null)
            {
                line.Append($"  {data.ErrorType}: {data.ErrorMessage}");
            }
        }

        if (invocationEvent.ErrorType is not null)
        {
            line.Append($"  {invocationEvent.ErrorType}: {invocationEvent.ErrorMessage}");
        }

        Write(line.ToString());
        if (verbose)
        {
            Write(Indent(InvocationEventSerializer.ToJson(invocationEvent, indented: true)));
        }
    }

    public void ReplyReceived(string transactionId, int sequence, int attempt, InvocationResult result, TimeSpan latency)
    {
        var ms = latency.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);
        if (json)
        {
            Json("reply", w =>
            {
                w.WriteNumber("sequence", sequence);
                w.WriteNumber("attempt", attempt);
                w.WriteString("outcome", result.Outcome.ToString());
                w.WriteNumber("latencyMs", latency.TotalMilliseconds);
                if (result.Error is not null)
                {
                    w.WriteString("error", result.Error);
                }

                WriteBody(w, result.Payload);
                WriteLogs(w, result.Logs);
            });
            return;
        }

        foreach (var log in result.Logs ?? [])
        {
            Write($"{Elapsed}    | {log}");
        }

        if (result.Outcome != InvocationOutcome.Ok)
        {
            Write($"{Elapsed}  ✗ reply to seq {sequence} (attempt {attempt}, {ms} ms): {result.Outcome} {result.Error}");
            return;
        }

        Write($"{Elapsed}  ← {Summarize(result.Payload)}  ({ms} ms{(attempt > 1 ? $", attempt {attempt}" : string.Empty)})");
    }

    public void ReplyRejected(string transactionId, int sequence, string reason)
    {
        if (json)
        {
            Json("rejected", w =>
            {
                w.WriteNumber("sequence", sequence);
                w.WriteString("reason", reason);
            });
            return;
        }

        Write($"{Elapsed}  ✗ reply to seq {sequence} not applied: {reason}");
    }

    public void ActionStarted(string transactionId, ActionRequest action, string? callId)
    {
        if (json)
        {
            Json("action", w =>
            {
                w.WriteString("action", action.Type);
                w.WriteString("state", "started");
            });
            return;
        }

        Write($"{Elapsed}  ▶ {action.Type}");
    }

    public void ActionEnded(string transactionId, ActionRequest action, string outcome)
    {
        if (json)
        {
            Json("action", w =>
            {
                w.WriteString("action", action.Type);
                w.WriteString("state", outcome);
            });
            return;
        }

        Write($"{Elapsed}  ■ {action.Type}: {outcome}");
    }

    public void LegChanged(string transactionId, string callId, string participantTag, string change)
    {
        if (json)
        {
            Json("leg", w =>
            {
                w.WriteString("callId", callId);
                w.WriteString("participantTag", participantTag);
                w.WriteString("change", change);
            });
            return;
        }

        Write($"{Elapsed}  ☎ {participantTag} {change}");
    }

    public void Ended(string transactionId, string reason)
    {
        if (json)
        {
            Json("end", w => w.WriteString("reason", reason));
            return;
        }

        Write($"{Elapsed}  ✔ transaction {transactionId} ended: {reason}");
    }

    private static string Summarize(ReadOnlyMemory<byte> payload)
    {
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var root = doc.RootElement;
            var text = new StringBuilder();
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("Actions", out var actions) && actions.ValueKind == JsonValueKind.Array)
            {
                text.Append('[').AppendJoin(", ", actions.EnumerateArray().Select(DescribeAction)).Append(']');
            }
            else
            {
                text.Append("(no actions)");
            }

            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("TransactionAttributes", out var attributes) && attributes.ValueKind == JsonValueKind.Object)
            {
                text.Append("  attributes ").Append(attributes.GetRawText());
            }

            return text.ToString();
        }
        catch (JsonException)
        {
            var raw = Encoding.UTF8.GetString(payload.Span);
            return "unparseable reply: " + (raw.Length > 120 ? raw[..120] + "…" : raw);
        }
    }

    private static string DescribeAction(JsonElement action)
    {
        if (action.ValueKind != JsonValueKind.Object || !action.TryGetProperty("Type", out var type))
        {
            return "?";
        }

        var name = type.ToString();
        if (action.TryGetProperty("Parameters", out var p) && p.ValueKind == JsonValueKind.Object)
        {
            if (p.TryGetProperty("AudioSource", out var source) && source.ValueKind == JsonValueKind.Object
                && source.TryGetProperty("Key", out var key))
            {
                return $"{name}({key})";
            }

            if (p.TryGetProperty("DurationInMilliseconds", out var duration))
            {
                return $"{name}({duration}ms)";
            }

            if (p.TryGetProperty("Endpoints", out var endpoints) && endpoints.ValueKind == JsonValueKind.Array && endpoints.GetArrayLength() > 0
                && endpoints[0].ValueKind == JsonValueKind.Object && endpoints[0].TryGetProperty("Uri", out var uri))
            {
                return $"{name}({uri})";
            }

            if (p.TryGetProperty("ParticipantTag", out var tag))
            {
                return $"{name}({tag})";
            }
        }

        return name;
    }

    private static void WriteBody(Utf8JsonWriter w, ReadOnlyMemory<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return;
        }

        try
        {
            using var doc = JsonDocument.Parse(payload);
            w.WritePropertyName("body");
            doc.RootElement.WriteTo(w);
        }
        catch (JsonException)
        {
            w.WriteString("body", Encoding.UTF8.GetString(payload.Span));
        }
    }

    private static void WriteLogs(Utf8JsonWriter w, IReadOnlyList<string>? logs)
    {
        if (logs is not { Count: > 0 })
        {
            return;
        }

        w.WriteStartArray("logs");
        foreach (var log in logs)
        {
            w.WriteStringValue(log);
        }

        w.WriteEndArray();
    }

    private void Json(string kind, Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("t", Math.Round((time.GetUtcNow() - _start).TotalSeconds, 3));
            w.WriteString("kind", kind);
            body(w);
            w.WriteEndObject();
        }

        Write(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static string Indent(string text) =>
        string.Join('\n', text.Split('\n').Select(l => "             " + l));

    private void Write(string line)
    {
        lock (_gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }
}
