using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using OpenSma.Engine.Control;

namespace OpenSma.Engine.Transactions;

/// <summary>
/// The live transactions of this node by TransactionId (the node-local call directory), and the
/// number of active calls per SMA that the concurrency quota is checked against.
/// </summary>
internal sealed class TransactionRegistry(int? maxActiveCallsPerApplication = null)
{
    private readonly ConcurrentDictionary<string, CallTransaction> _live = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox<int>> _active = new(StringComparer.Ordinal);

    public int Count => _live.Count;

    public int? MaxActiveCallsPerApplication { get; } = maxActiveCallsPerApplication;

    public void Add(CallTransaction transaction) => _live[transaction.TransactionId] = transaction;

    /// <summary>Removes an ended transaction and frees its SMA's slot (once).</summary>
    public void Remove(CallTransaction transaction)
    {
        if (_live.TryRemove(new(transaction.TransactionId, transaction)))
        {
            Release(transaction.Application.SipMediaApplicationId);
        }
    }

    public bool TryGet(string transactionId, [NotNullWhen(true)] out CallTransaction? transaction) =>
        _live.TryGetValue(transactionId, out transaction);

    public IReadOnlyCollection<CallTransaction> Snapshot() => _live.Values.ToArray();

    public int ActiveCalls(string sipMediaApplicationId) =>
        _active.TryGetValue(sipMediaApplicationId, out var box) ? Volatile.Read(ref box.Value) : 0;

    public bool HasCapacity(string sipMediaApplicationId) =>
        MaxActiveCallsPerApplication is not { } max || ActiveCalls(sipMediaApplicationId) < max;

    /// <summary>Takes one of the SMA's call slots; false when it is at its limit.</summary>
    public bool TryAcquire(string sipMediaApplicationId)
    {
        var box = _active.GetOrAdd(sipMediaApplicationId, static _ => new StrongBox<int>());
        if (MaxActiveCallsPerApplication is not { } max)
        {
            Interlocked.Increment(ref box.Value);
            return true;
        }

        while (true)
        {
            var current = Volatile.Read(ref box.Value);
            if (current >= max)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref box.Value, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Moves a live call's slot from one SMA to another (SIP-rule failover).</summary>
    public bool TryMove(SipMediaApplicationRef from, SipMediaApplicationRef to)
    {
        if (!TryAcquire(to.SipMediaApplicationId))
        {
            return false;
        }

        Release(from.SipMediaApplicationId);
        return true;
    }

    private void Release(string sipMediaApplicationId)
    {
        if (_active.TryGetValue(sipMediaApplicationId, out var box))
        {
            Interlocked.Decrement(ref box.Value);
        }
    }
}
