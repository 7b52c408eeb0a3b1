using System.Collections.Concurrent;
using OpenSma.Engine.Contracts;
using OpenSma.Engine.Control;
using OpenSma.Engine.Invocation;
using OpenSma.Engine.Transactions;

namespace OpenSma.Host.Metrics;

/// <summary>
/// Counts what the engine reports through its transaction trace: events sent, handler attempts by
/// outcome and their latency, replies the rules refused, SIP-rule failovers, actions by outcome and ended transactions.
/// Installed as the engine's default trace; every call is a few interlocked adds on the
/// transaction's own thread, so it costs the call path next to nothing.
/// </summary>
internal sealed class EngineCounters : ITransactionTrace
{
    private static readonly InvocationOutcome[] Outcomes = Enum.GetValues<InvocationOutcome>();
    private readonly long[] _attempts = new long[Outcomes.Length];
    private readonly ConcurrentDictionary<string, StrongBox> _events = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox> _actions = new(StringComparer.Ordinal);
    private long _attemptTicks;
    private long _rejectedReplies;
    private long _endedTransactions;
    private long _failovers;

    public long EndedTransactions => Interlocked.Read(ref _endedTransactions);

    public long Failovers => Interlocked.Read(ref _failovers);

    public long RejectedReplies => Interlocked.Read(ref _rejectedReplies);

    public long Attempts(InvocationOutcome outcome) => Interlocked.Read(ref _attempts[(int)outcome]);

    public TimeSpan AttemptTime => TimeSpan.FromTicks(Interlocked.Read(ref _attemptTicks));

    /// <summary>Events sent, by InvocationEventType (a fixed set the engine defines).</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Events => Snapshot(_events);

    /// <summary>Ended actions by outcome: succeeded, failed, interrupted, abandoned.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Actions => Snapshot(_actions);

    public void EventSent(string transactionId, InvocationEvent invocationEvent, ReadOnlyMemory<byte> json) =>
        Add(_events, invocationEvent.InvocationEventType);

    public void ReplyReceived(string transactionId, int sequence, int attempt, InvocationResult result, TimeSpan latency)
    {
        Interlocked.Increment(ref _attempts[(int)result.Outcome]);
        Interlocked.Add(ref _attemptTicks, latency.Ticks);
    }

    public void ReplyRejected(string transactionId, int sequence, string reason) => Interlocked.Increment(ref _rejectedReplies);

    // The engine's outcome text is "succeeded", "interrupted", "abandoned: why" or "failed: type: message";
    // only the first word is kept so the label set stays small.
    public void ActionEnded(string transactionId, ActionRequest action, string outcome)
    {
        var colon = outcome.IndexOf(':', StringComparison.Ordinal);
        Add(_actions, colon < 0 ? outcome : outcome[..colon]);
    }

    public void FailedOver(string transactionId, SipMediaApplicationRef from, SipMediaApplicationRef to, string reason) =>
        Interlocked.Increment(ref _failovers);

    public void Ended(string transactionId, string reason) => Interlocked.Increment(ref _endedTransactions);

    private static void Add(ConcurrentDictionary<string, StrongBox> counts, string key) =>
        Interlocked.Increment(ref counts.GetOrAdd(key, static _ => new StrongBox()).Value);

    private static KeyValuePair<string, long>[] Snapshot(ConcurrentDictionary<string, StrongBox> counts) =>
        [.. counts.Select(c => KeyValuePair.Create(c.Key, Interlocked.Read(ref c.Value.Value))).OrderBy(c => c.Key, StringComparer.Ordinal)];

    private sealed class StrongBox
    {
        public long Value;
    }
}
