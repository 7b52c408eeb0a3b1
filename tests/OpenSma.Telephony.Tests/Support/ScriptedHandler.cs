using System.Text;
using System.Text.Json.Nodes;

namespace OpenSma.Telephony.Tests.Support;

/// <summary>An in-process SMA handler: answers each event with the script's actions and records every event it saw.</summary>
internal sealed class ScriptedHandler
{
    private readonly List<JsonObject> _events = [];
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Returns the Actions array (JSON) for an event, or null for no actions.</summary>
    public Func<JsonObject, string?> Script { get; set; } = _ => null;

    public IReadOnlyList<JsonObject> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public IEnumerable<string> EventTypes => Events.Select(e => (string)e["InvocationEventType"]!);

    public ValueTask<ReadOnlyMemory<byte>> HandleAsync(ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        var e = JsonNode.Parse(json.Span)!.AsObject();
        TaskCompletionSource changed;
        lock (_gate)
        {
            _events.Add(e);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        var actions = Script(e);
        changed.TrySetResult();
        var reply = actions is null ? "{\"SchemaVersion\":\"1.0\"}" : "{\"SchemaVersion\":\"1.0\",\"Actions\":" + actions + "}";
        return ValueTask.FromResult<ReadOnlyMemory<byte>>(Encoding.UTF8.GetBytes(reply));
    }

    /// <summary>Waits (real time, generous) for an event matching <paramref name="match"/>.</summary>
    public async Task<JsonObject> WaitForAsync(Func<JsonObject, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Rig.Patience);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_events.Find(e => match(e)) is { } found)
                {
                    return found;
                }

                changed = _changed.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException("Events so far: " + string.Join(", ", EventTypes));
            }

            await Task.WhenAny(changed, Task.Delay(left)).ConfigureAwait(false);
        }
    }

    public Task<JsonObject> WaitForAsync(string type, TimeSpan? timeout = null) =>
        WaitForAsync(e => (string?)e["InvocationEventType"] == type, timeout);

    public static string Type(JsonObject e) => (string)e["InvocationEventType"]!;

    public static JsonObject LegA(JsonObject e) => e["CallDetails"]!["Participants"]!.AsArray().First(p => (string?)p!["ParticipantTag"] == "LEG-A")!.AsObject();
}
