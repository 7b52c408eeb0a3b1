using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;

namespace OpenSma.Media.Dtmf;

/// <summary>
/// The reading side of a <see cref="DigitStream"/>: an unbounded, multi-reader, multi-writer queue
/// with the semantics of an unbounded channel's reader (each digit goes to one reader, in order;
/// <see cref="WaitToReadAsync"/> wakes every waiting reader; after completion readers drain what
/// is queued and then see the end; a cancelled wait ends only that wait). It costs a live leg a
/// few dozen bytes where a <see cref="Channel"/> costs about 0.7 KB: most legs never receive a
/// digit, so the queue is created with the first one, and a waiting reader is one small object.
/// Continuations of waiting readers never run on the thread that publishes (the media receive
/// thread); they are queued to the thread pool.
/// </summary>
internal sealed class DigitReader : ChannelReader<DtmfDigit>
{
    private readonly Lock _gate = new();
    private Queue<DtmfDigit>? _queue;
    private Waiter? _waiters;
    private TaskCompletionSource? _completion;
    private bool _completed;

    public override bool CanCount => true;

    public override bool CanPeek => true;

    public override int Count
    {
        get
        {
            lock (_gate)
            {
                return _queue?.Count ?? 0;
            }
        }
    }

    /// <summary>Readers waiting in <see cref="WaitToReadAsync"/> now (for tests).</summary>
    internal int WaitingReaders
    {
        get
        {
            lock (_gate)
            {
                var count = 0;
                for (var w = _waiters; w is not null; w = w.Next)
                {
                    count++;
                }

                return count;
            }
        }
    }

    /// <summary>Completes once the stream has been completed and every queued digit read.</summary>
    public override Task Completion
    {
        get
        {
            lock (_gate)
            {
                if (_completion is null)
                {
                    _completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    if (_completed && (_queue?.Count ?? 0) == 0)
                    {
                        _completion.TrySetResult();
                    }
                }

                return _completion.Task;
            }
        }
    }

    public override bool TryRead([MaybeNullWhen(false)] out DtmfDigit item)
    {
        TaskCompletionSource? drained = null;
        lock (_gate)
        {
            if (_queue is null || !_queue.TryDequeue(out item))
            {
                item = null;
                return false;
            }

            if (_completed && _queue.Count == 0)
            {
                drained = _completion;
            }
        }

        drained?.TrySetResult();
        return true;
    }

    public override bool TryPeek([MaybeNullWhen(false)] out DtmfDigit item)
    {
        lock (_gate)
        {
            if (_queue is null)
            {
                item = null;
                return false;
            }

            return _queue.TryPeek(out item);
        }
    }

    /// <summary>True when a digit can be read, false once the stream is completed and drained.</summary>
    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<bool>(cancellationToken);
        }

        Waiter waiter;
        lock (_gate)
        {
            if (_queue is { Count: > 0 })
            {
                return new ValueTask<bool>(true);
            }

            if (_completed)
            {
                return new ValueTask<bool>(false);
            }

            waiter = new Waiter(this);
            waiter.Next = _waiters;
            if (_waiters is not null)
            {
                _waiters.Previous = waiter;
            }

            _waiters = waiter;
            if (cancellationToken.CanBeCanceled)
            {
                // Inside the lock, so a wake-up always finds the registration to undo. A token
                // cancelled meanwhile runs the callback here, which re-enters the lock to unlist.
                waiter.Registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Cancel(token), waiter);
            }
        }

        return new ValueTask<bool>(waiter.Task);
    }

    /// <summary>Queues a digit and wakes the waiting readers; false (the digit is dropped) once completed.</summary>
    internal bool TryWrite(DtmfDigit digit)
    {
        Waiter? woken;
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            (_queue ??= new Queue<DtmfDigit>(4)).Enqueue(digit);
            woken = TakeWaiters();
        }

        Wake(woken, true);
        return true;
    }

    /// <summary>Ends the stream: waiting readers are told there is nothing more once the queue is drained.</summary>
    internal bool TryComplete()
    {
        Waiter? woken;
        TaskCompletionSource? drained = null;
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            _completed = true;
            woken = TakeWaiters();
            if ((_queue?.Count ?? 0) == 0)
            {
                drained = _completion;
            }
        }

        // A waiter is only ever waiting on an empty queue, so completion tells it the end.
        Wake(woken, false);
        drained?.TrySetResult();
        return true;
    }

    private static void Wake(Waiter? waiter, bool result)
    {
        while (waiter is not null)
        {
            var next = waiter.Next;
            waiter.Next = null;
            // Unregister, not Dispose: never wait here (the media receive thread) for a running callback.
            waiter.Registration.Unregister();
            waiter.TrySetResult(result);
            waiter = next;
        }
    }

    private Waiter? TakeWaiters()
    {
        var waiters = _waiters;
        _waiters = null;
        for (var w = waiters; w is not null; w = w.Next)
        {
            w.Previous = null;
            w.Listed = false;
        }

        return waiters;
    }

    private void Remove(Waiter waiter)
    {
        lock (_gate)
        {
            if (!waiter.Listed)
            {
                return;
            }

            waiter.Listed = false;
            if (waiter.Previous is { } previous)
            {
                previous.Next = waiter.Next;
            }
            else
            {
                _waiters = waiter.Next;
            }

            if (waiter.Next is { } next)
            {
                next.Previous = waiter.Previous;
            }

            waiter.Next = null;
            waiter.Previous = null;
        }
    }

    /// <summary>One pending <see cref="WaitToReadAsync"/>, in a doubly linked list so a cancelled one leaves at once.</summary>
    private sealed class Waiter(DigitReader reader) : TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public Waiter? Next { get; set; }

        public Waiter? Previous { get; set; }

        public bool Listed { get; set; } = true;

        public CancellationTokenRegistration Registration { get; set; }

        public void Cancel(CancellationToken token)
        {
            reader.Remove(this);
            TrySetCanceled(token);
        }
    }
}
