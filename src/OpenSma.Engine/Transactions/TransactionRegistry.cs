using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace OpenSma.Engine.Transactions;

/// <summary>The live transactions of this node by TransactionId (the node-local call directory).</summary>
internal sealed class TransactionRegistry
{
    private readonly ConcurrentDictionary<string, CallTransaction> _live = new(StringComparer.Ordinal);

    public int Count => _live.Count;

    public void Add(CallTransaction transaction) => _live[transaction.TransactionId] = transaction;

    public void Remove(CallTransaction transaction) => _live.TryRemove(new(transaction.TransactionId, transaction));

    public bool TryGet(string transactionId, [NotNullWhen(true)] out CallTransaction? transaction) =>
        _live.TryGetValue(transactionId, out transaction);

    public IReadOnlyCollection<CallTransaction> Snapshot() => _live.Values.ToArray();
}
