using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using OpenSma.EndToEnd.Tests.Support;

namespace OpenSma.EndToEnd.Tests.Telephony.Support;

/// <summary>
/// A small SMA handler over HTTP for the telephony tests: it records every event and answers with
/// the actions its script returns for that event (no actions when the script returns null).
/// </summary>
internal sealed class HandlerServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<JsonElement, string?> _script;
    private readonly Func<JsonElement, TimeSpan>? _delay;
    private readonly ConcurrentQueue<JsonElement> _events = new();

    /// <param name="delay">How long to think before answering an event (a slow handler keeps an inbound call ringing).</param>
    public HandlerServer(Func<JsonElement, string?> script, Func<JsonElement, TimeSpan>? delay = null)
    {
        _script = script;
        _delay = delay;
        Url = $"http://127.0.0.1:{FreePorts.Tcp()}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _ = Task.Run(() => HttpListenerLoop.ServeAsync(_listener, context =>
        {
            _ = Task.Run(() => AnswerAsync(context));
            return Task.CompletedTask;
        }));
    }

    public string Url { get; }

    public IReadOnlyList<JsonElement> Events => [.. _events];

    /// <summary>Event types in arrival order, with the action type for ACTION_* events ("ACTION_SUCCESSFUL:PlayAudio").</summary>
    public IReadOnlyList<string> Ladder => [.. _events.Select(Describe)];

    public static string Type(JsonElement e) => e.GetProperty("InvocationEventType").GetString()!;

    public static string? ActionType(JsonElement e) =>
        e.TryGetProperty("ActionData", out var data) && data.ValueKind == JsonValueKind.Object && data.TryGetProperty("Type", out var type) ? type.GetString() : null;

    public static string Describe(JsonElement e) => ActionType(e) is { } action && Type(e).StartsWith("ACTION_", StringComparison.Ordinal) ? $"{Type(e)}:{action}" : Type(e);

    /// <summary>Actions JSON: <c>Actions(Play(...), Hangup())</c>.</summary>
    public static string Actions(params string[] actions) => $$"""{"SchemaVersion":"1.0","Actions":[{{string.Join(',', actions)}}]}""";

    public async Task WaitForAsync(Func<IReadOnlyList<JsonElement>, bool> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!condition(Events))
        {
            try
            {
                await Task.Delay(100, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"handler never saw {what}; events: {string.Join(", ", Ladder)}");
            }
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var e = JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone();
            _events.Enqueue(e);
            if (_delay?.Invoke(e) is { } wait && wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            var reply = _script(e) ?? Actions();
            var bytes = Encoding.UTF8.GetBytes(reply);
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or JsonException or IOException or ObjectDisposedException)
        {
            context.Response.Abort();
        }
    }
}
