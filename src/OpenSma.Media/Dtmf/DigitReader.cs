using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using System.Threading.Tasks.Sources;

namespace OpenSma.Media.Dtmf;

/// <summary>
/// The reading side of a <see cref="DigitStream"/>: an unbounded, multi-reader, multi-writer queue
/// with the semantics of an unbounded channel's reader. Each digit goes to one reader, in order; a
/// digit written while a <see cref="ReadAllAsync"/> loop waits is handed to the longest-waiting
/// loop, else queued and every <see cref="WaitToReadAsync"/> waiter is woken; after completion
/// readers drain what is queued and then see the end; a cancelled wait ends only that wait and
/// takes no digit. It costs a live leg about a fifth of what a <see cref="Channel"/> and the
/// reading loop on it did: most legs never receive a digit, so the queue is created with the
/// first one, and a leg's reading loop (the telephony layer keeps one per leg for the call's
/// life) is one small object that is also what it waits on. Continuations of waiting readers never
/// run on the thread that writes (the media receive thread): they are queued to the thread pool.
/// </summary>
internal sealed class DigitReader : ChannelReader<DtmfDigit>
{
    private readonly Lock _gate = new();
    private Queue<DtmfDigit>? _queue;
    private PendingList _waiters;
    private PendingList _loops;
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

    /// <summary>The stream's lock too: one per leg instead of two.</summary>
    internal Lock Gate => _gate;

    /// <summary>Readers waiting now, in <see cref="WaitToReadAsync"/> or in a <see cref="ReadAllAsync"/> loop (for tests).</summary>
    internal int WaitingReaders
    {
        get
        {
            lock (_gate)
            {
                return _waiters.Count + _loops.Count;
            }
        }
    }

    public override bool TryRead([MaybeNullWhen(false)] out DtmfDigit item)
    {
        TaskCompletionSource? drained;
        lock (_gate)
        {
            item = TakeLocked(out drained);
        }

        drained?.TrySetResult();
        return item is not null;
    }

    public override bool TryPeek([MaybeNullWhen(false)] out DtmfDigit item)
    {
        lock (_gate)
        {
            item = null;
            return _queue is not null && _queue.TryPeek(out item);
        }
    }

    /// <summary>True when a digit can be read, false once the stream is completed and drained.</summary>
    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<bool>(cancellationToken);
        }

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

            var waiter = new Waiter(this);
            waiter.Enlist(ref _waiters, cancellationToken);
            return waiter.AsValueTask();
        }
    }

    /// <summary>Every digit until the stream is completed and drained; waits without allocating per digit.</summary>
    public override IAsyncEnumerable<DtmfDigit> ReadAllAsync(CancellationToken cancellationToken = default) => new Loop(this, cancellationToken);

    /// <summary>Hands a digit to a waiting loop, else queues it and wakes the waiters; false (dropped) once completed.</summary>
    internal bool TryWrite(DtmfDigit digit)
    {
        Pending? woken;
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            if (_loops.TakeFirst() is Loop loop)
            {
                loop.Current = digit;
                woken = loop;
            }
            else
            {
                (_queue ??= new Queue<DtmfDigit>(4)).Enqueue(digit);
                woken = _waiters.TakeAll();
            }
        }

        Pending.CompleteAll(woken, true);
        return true;
    }

    /// <summary>Ends the stream: waiting readers are told there is nothing more (they only wait on an empty queue).</summary>
    internal bool TryComplete()
    {
        Pending? waiters;
        Pending? loops;
        TaskCompletionSource? drained = null;
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            _completed = true;
            waiters = _waiters.TakeAll();
            loops = _loops.TakeAll();
            if ((_queue?.Count ?? 0) == 0)
            {
                drained = _completion;
            }
        }

        Pending.CompleteAll(waiters, false);
        Pending.CompleteAll(loops, false);
        drained?.TrySetResult();
        return true;
    }

    private DtmfDigit? TakeLocked(out TaskCompletionSource? drained)
    {
        drained = null;
        if (_queue is null || !_queue.TryDequeue(out var item))
        {
            return null;
        }

        if (_completed && _queue.Count == 0)
        {
            drained = _completion;
        }

        return item;
    }

    /// <summary>An intrusive doubly linked list of pending reads, oldest first; used under the reader's lock.</summary>
    private struct PendingList
    {
        private Pending? _head;
        private Pending? _tail;

        public int Count { get; private set; }

        public void Add(Pending item)
        {
            item.Previous = _tail;
            item.Next = null;
            if (_tail is null)
            {
                _head = item;
            }
            else
            {
                _tail.Next = item;
            }

            _tail = item;
            item.Listed = true;
            Count++;
        }

        public void Remove(Pending item)
        {
            if (item.Previous is null)
            {
                _head = item.Next;
            }
            else
            {
                item.Previous.Next = item.Next;
            }

            if (item.Next is null)
            {
                _tail = item.Previous;
            }
            else
            {
                item.Next.Previous = item.Previous;
            }

            item.Next = null;
            item.Previous = null;
            item.Listed = false;
            Count--;
        }

        public Pending? TakeFirst()
        {
            var first = _head;
            if (first is not null)
            {
                Remove(first);
            }

            return first;
        }

        /// <summary>Unlists every item; the result is chained through <see cref="Pending.Next"/>.</summary>
        public Pending? TakeAll()
        {
            var head = _head;
            for (var item = head; item is not null; item = item.Next)
            {
                item.Listed = false;
                item.Previous = null;
            }

            _head = null;
            _tail = null;
            Count = 0;
            return head;
        }
    }

    /// <summary>
    /// A read waiting for a digit. Whoever unlists it under the lock (a write, completion,
    /// cancellation) completes it, once, after leaving the lock.
    /// </summary>
    private abstract class Pending(DigitReader reader) : IValueTaskSource<bool>
    {
        private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
        private CancellationTokenRegistration _registration;

        public Pending? Next { get; set; }

        public Pending? Previous { get; set; }

        public bool Listed { get; set; }

        protected DigitReader Reader { get; } = reader;

        public static void CompleteAll(Pending? item, bool result)
        {
            while (item is not null)
            {
                var next = item.Next;
                item.Next = null;
                item.Complete(result);
                item = next;
            }
        }

        public bool GetResult(short token) => _core.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);

        public ValueTask<bool> AsValueTask() => new(this, _core.Version);

        /// <summary>Under the reader's lock: starts a wait in <paramref name="list"/>.</summary>
        public void Enlist(ref PendingList list, CancellationToken cancellationToken)
        {
            _core.Reset();
            list.Add(this);
            if (cancellationToken.CanBeCanceled)
            {
                // Inside the lock, so a wake-up always finds the registration to undo. A token
                // cancelled meanwhile runs the callback here, which re-enters the lock to unlist.
                _registration = cancellationToken.UnsafeRegister(static (state, token) => ((Pending)state!).Cancel(token), this);
            }
        }

        protected abstract void Unlist();

        /// <summary>Leaves the list without a result (a loop disposed while it waits).</summary>
        protected void Withdraw()
        {
            lock (Reader._gate)
            {
                if (!Listed)
                {
                    return;
                }

                Unlist();
            }

            _registration.Unregister();
            _registration = default;
        }

        private void Complete(bool result)
        {
            // Unregister, not Dispose: never wait here (the media receive thread) for a running callback.
            _registration.Unregister();
            _registration = default;
            _core.SetResult(result);
        }

        private void Cancel(CancellationToken token)
        {
            lock (Reader._gate)
            {
                if (!Listed)
                {
                    return; // already given a digit or the end: that result stands
                }

                Unlist();
            }

            _registration = default;
            _core.SetException(new OperationCanceledException(token));
        }
    }

    /// <summary>One <see cref="WaitToReadAsync"/> call.</summary>
    private sealed class Waiter(DigitReader reader) : Pending(reader)
    {
        protected override void Unlist() => Reader._waiters.Remove(this);
    }

    /// <summary>
    /// A <see cref="ReadAllAsync"/> loop: the enumerable, its enumerator and what it waits on, in
    /// one object (a second enumeration of the same enumerable gets its own).
    /// </summary>
    private sealed class Loop(DigitReader reader, CancellationToken cancellationToken)
        : Pending(reader), IAsyncEnumerable<DtmfDigit>, IAsyncEnumerator<DtmfDigit>
    {
        private CancellationToken _token = cancellationToken;
        private CancellationTokenSource? _linked;
        private int _enumerating;

        public DtmfDigit Current { get; set; } = null!;

        public IAsyncEnumerator<DtmfDigit> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            var loop = Interlocked.Exchange(ref _enumerating, 1) == 0 ? this : new Loop(Reader, _token);
            if (cancellationToken.CanBeCanceled && cancellationToken != loop._token)
            {
                if (loop._token.CanBeCanceled)
                {
                    loop._linked = CancellationTokenSource.CreateLinkedTokenSource(loop._token, cancellationToken);
                    loop._token = loop._linked.Token;
                }
                else
                {
                    loop._token = cancellationToken;
                }
            }

            return loop;
        }

        public ValueTask<bool> MoveNextAsync()
        {
            if (_token.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<bool>(_token);
            }

            TaskCompletionSource? drained;
            lock (Reader._gate)
            {
                if (Listed)
                {
                    throw new InvalidOperationException("MoveNextAsync was called again before the previous call completed.");
                }

                if (Reader.TakeLocked(out drained) is { } digit)
                {
                    Current = digit;
                }
                else if (Reader._completed)
                {
                    return new ValueTask<bool>(false);
                }
                else
                {
                    Enlist(ref Reader._loops, _token);
                    return AsValueTask();
                }
            }

            drained?.TrySetResult();
            return new ValueTask<bool>(true);
        }

        public ValueTask DisposeAsync()
        {
            Withdraw();
            _linked?.Dispose();
            return ValueTask.CompletedTask;
        }

        protected override void Unlist() => Reader._loops.Remove(this);
    }
}
