using System.Net;

namespace OpenSma.Media.Clock;

/// <summary>A listener that hands a datagram to <see cref="DeferredSends.TryDefer"/> sends it here when it is due.</summary>
internal interface IDeferredSender
{
    /// <summary>Sends <paramref name="datagram"/> now (valid only during the call); a sender that has closed drops it.</summary>
    void SendDeferred(ReadOnlySpan<byte> datagram, SocketAddress destination);
}

/// <summary>
/// Datagrams a listener cut on a tick but that are due later within it: the second 10 ms packet of
/// a tick's 20 ms frame, a 30 ms packet completed 10 ms before it is due. One queue per
/// <see cref="MediaClock"/>, used only by the code running its ticks (its thread, or its serialized
/// timer callbacks). While the clock delivers a tick the queue is the thread's current one
/// (<see cref="TryDefer"/>); each datagram is copied into a preallocated slot, since the caller's
/// buffer is its scratch, and is sent in due order: by the clock at its due time (minus the lead on
/// a timer-driven clock, whose ticks leave that much early too), or, on a clock with timed sends,
/// straight after the tick, queued on the ring with its own due time.
/// </summary>
internal sealed class DeferredSends(Action<Exception> onError)
{
    /// <summary>Largest datagram that can wait: a 120 ms G.711 packet and its header, with room to spare.</summary>
    public const int MaxDatagramBytes = 1024;

    [ThreadStatic]
    private static DeferredSends? t_current;

    private Entry[] _heap = [];
    private byte[] _data = [];
    private int[] _free = [];
    private int _freeCount;
    private int _count;
    private long _order;
    private long _tickTime;

    /// <summary>Datagrams waiting.</summary>
    public int Count => _count;

    /// <summary>Slots allocated so far (they are kept for reuse), for tests.</summary>
    public int Capacity => _heap.Length;

    /// <summary>The earliest due time waiting (TimeSpan ticks from the clock's start); only when <see cref="Count"/> is above zero.</summary>
    public long NextDue => _heap[0].Due;

    /// <summary>
    /// Called from a clock listener's tick: queues a copy of <paramref name="datagram"/> to be sent
    /// <paramref name="after"/> the tick's due time. False when no clock is delivering a tick on this
    /// thread (a tick called directly) or the datagram is too big: the caller sends it at once.
    /// </summary>
    public static bool TryDefer(IDeferredSender sender, ReadOnlySpan<byte> datagram, SocketAddress destination, TimeSpan after)
    {
        if (t_current is not { } queue || datagram.Length > MaxDatagramBytes)
        {
            return false;
        }

        queue.Add(sender, datagram, destination, queue._tickTime + after.Ticks);
        return true;
    }

    /// <summary>The clock starts delivering the tick due at <paramref name="tickTime"/> (TimeSpan ticks from its start) on this thread.</summary>
    public void Enter(long tickTime)
    {
        _tickTime = tickTime;
        t_current = this;
    }

    public static void Leave() => t_current = null;

    /// <summary>Sends, in due order, every datagram due at or before <paramref name="time"/>.</summary>
    public void SendDue(long time)
    {
        while (_count > 0 && _heap[0].Due <= time)
        {
            var entry = _heap[0];
            RemoveFirst();
            try
            {
                entry.Sender.SendDeferred(_data.AsSpan(entry.Slot * MaxDatagramBytes, entry.Length), entry.Destination);
            }
            catch (Exception ex)
            {
                onError(ex);
            }
            finally
            {
                _free[_freeCount++] = entry.Slot;
            }
        }
    }

    /// <summary>Drops everything waiting (the clock stops), keeping no reference to the senders.</summary>
    public void Clear()
    {
        while (_count > 0)
        {
            _free[_freeCount++] = _heap[0].Slot;
            RemoveFirst();
        }
    }

    private void Add(IDeferredSender sender, ReadOnlySpan<byte> datagram, SocketAddress destination, long due)
    {
        if (_freeCount == 0)
        {
            Grow();
        }

        var slot = _free[--_freeCount];
        datagram.CopyTo(_data.AsSpan(slot * MaxDatagramBytes, MaxDatagramBytes));
        var entry = new Entry(due, _order++, slot, datagram.Length, sender, destination);

        // Sift up: a binary min-heap on (due, order), so equal due times keep the order they came in.
        var index = _count++;
        while (index > 0)
        {
            var parent = (index - 1) / 2;
            if (!entry.Before(_heap[parent]))
            {
                break;
            }

            _heap[index] = _heap[parent];
            index = parent;
        }

        _heap[index] = entry;
    }

    private void RemoveFirst()
    {
        var last = _heap[--_count];
        _heap[_count] = default;
        if (_count == 0)
        {
            return;
        }

        var index = 0;
        while (true)
        {
            var child = (2 * index) + 1;
            if (child >= _count)
            {
                break;
            }

            if (child + 1 < _count && _heap[child + 1].Before(_heap[child]))
            {
                child++;
            }

            if (!_heap[child].Before(last))
            {
                break;
            }

            _heap[index] = _heap[child];
            index = child;
        }

        _heap[index] = last;
    }

    // Only while slots run out: steady state reuses them.
    private void Grow()
    {
        var old = _heap.Length;
        var size = Math.Max(16, old * 2);
        Array.Resize(ref _heap, size);
        Array.Resize(ref _data, size * MaxDatagramBytes);
        Array.Resize(ref _free, size);
        for (var slot = size - 1; slot >= old; slot--)
        {
            _free[_freeCount++] = slot;
        }
    }

    private readonly record struct Entry(long Due, long Order, int Slot, int Length, IDeferredSender Sender, SocketAddress Destination)
    {
        public bool Before(Entry other) => Due < other.Due || (Due == other.Due && Order < other.Order);
    }
}
