using System.Diagnostics.CodeAnalysis;

namespace OpenSma.Engine.Transactions;

/// <summary>
/// A FIFO queue for a field of a long-lived owner that is empty or holds one item most of the time:
/// the oldest item sits in the struct, and a <see cref="Queue{T}"/> for the items behind it exists
/// only while there are some. An empty queue costs no object at all (a <see cref="Queue{T}"/> kept
/// for the life of a call is 96 bytes with its buffer). Not thread-safe: the transaction uses it on
/// its mailbox only.
/// </summary>
internal struct InlineQueue<T>
    where T : class
{
    private T? _head;
    private Queue<T>? _behind;

    public readonly int Count => _head is null ? 0 : 1 + (_behind?.Count ?? 0);

    public void Enqueue(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (_head is null)
        {
            _head = item;
        }
        else
        {
            (_behind ??= new Queue<T>()).Enqueue(item);
        }
    }

    public bool TryDequeue([MaybeNullWhen(false)] out T item)
    {
        item = _head;
        if (item is null)
        {
            return false;
        }

        if (_behind is { } behind)
        {
            _head = behind.Dequeue();
            if (behind.Count == 0)
            {
                _behind = null;
            }
        }
        else
        {
            _head = null;
        }

        return true;
    }

    public void Clear() => this = default;
}
