using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace OpenSma.Functions.Logs;

/// <summary>The most recent log lines of every function, for <c>opensma functions logs NAME</c>.</summary>
public sealed class FunctionLogBook
{
    private readonly ConcurrentDictionary<string, Queue<FunctionLogEntry>> _byFunction = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Channel<FunctionLogEntry>, string> _followers = new();
    private readonly int _capacity;

    public FunctionLogBook(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public void Append(IEnumerable<FunctionLogEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var entry in entries)
        {
            var queue = _byFunction.GetOrAdd(entry.FunctionName, _ => new Queue<FunctionLogEntry>());
            lock (queue)
            {
                queue.Enqueue(entry);
                while (queue.Count > _capacity)
                    queue.Dequeue();
            }
            foreach (var (follower, name) in _followers)
            {
                if (name == entry.FunctionName)
                    follower.Writer.TryWrite(entry);
            }
        }
    }

    /// <summary>
    /// Lines of a function as they are appended, until cancelled (<c>opensma functions logs NAME --follow</c>).
    /// A slow reader loses the oldest unread lines rather than holding up invocations.
    /// </summary>
    public async IAsyncEnumerable<FunctionLogEntry> FollowAsync(
        string functionName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<FunctionLogEntry>(new BoundedChannelOptions(_capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        _followers[channel] = functionName;
        try
        {
            while (true)
            {
                FunctionLogEntry entry;
                try
                {
                    entry = await channel.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
                yield return entry;
            }
        }
        finally
        {
            _followers.TryRemove(channel, out _);
        }
    }

    /// <summary>
    /// The last <paramref name="max"/> lines (optionally of one transaction), then every new one as it
    /// is appended, until cancelled. The follower is registered before the backlog is read, so no
    /// line falls between the two, and none is given twice.
    /// </summary>
    public async IAsyncEnumerable<FunctionLogEntry> ReadAndFollowAsync(
        string functionName, int max, string? transactionId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<FunctionLogEntry>(new BoundedChannelOptions(_capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        _followers[channel] = functionName;
        try
        {
            var backlog = Read(functionName, max, transactionId);
            var given = new HashSet<FunctionLogEntry>(backlog, ReferenceEqualityComparer.Instance);
            foreach (var entry in backlog)
                yield return entry;
            while (true)
            {
                FunctionLogEntry entry;
                try
                {
                    entry = await channel.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
                if (given.Count > 0 && given.Remove(entry))
                    continue;
                if (transactionId is null || entry.TransactionId == transactionId)
                    yield return entry;
            }
        }
        finally
        {
            _followers.TryRemove(channel, out _);
        }
    }

    /// <summary>The last <paramref name="max"/> lines of a function, oldest first, optionally of one transaction.</summary>
    public IReadOnlyList<FunctionLogEntry> Read(string functionName, int max = int.MaxValue, string? transactionId = null)
    {
        if (!_byFunction.TryGetValue(functionName, out var queue))
            return [];
        FunctionLogEntry[] all;
        lock (queue)
            all = [.. queue];
        var selected = transactionId is null ? all : [.. all.Where(e => e.TransactionId == transactionId)];
        return selected.Length <= max ? selected : selected[^max..];
    }

    public void Clear(string functionName) => _byFunction.TryRemove(functionName, out _);
}
