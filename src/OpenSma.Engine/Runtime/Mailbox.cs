namespace OpenSma.Engine.Runtime;

/// <summary>What a mailbox reports to its owner.</summary>
internal interface IMailboxOwner
{
    /// <summary>A posted item threw; called on the mailbox, in the item's place. Must not throw.</summary>
    void OnMailboxError(Exception exception);
}

/// <summary>
/// The single-consumer mailbox of one transaction, exposed as a <see cref="SynchronizationContext"/>:
/// every input and every continuation of transaction code runs here, one at a time, in order. Call
/// state therefore needs no locks, and awaits inside transaction code come back to the mailbox.
/// </summary>
/// <remarks>
/// <para>
/// Posting is allowed from any thread. Items run in the order they were posted, one at a time, on
/// the thread pool: the first post to an idle mailbox queues one drain (the mailbox itself is the
/// work item, so that costs nothing), and the drain runs items until the queue is empty.
/// </para>
/// <para>
/// Every post counts as busy on the <see cref="ActivityTracker"/> until its item has run (or was
/// dropped because the mailbox is closed), so the virtual clock cannot move while anything is
/// queued or running here.
/// </para>
/// <para>
/// Footprint (a live call keeps one for its whole life): an idle mailbox is this object alone. The
/// head item sits in a field; only when more items queue up behind it does an overflow ring exist,
/// and it is dropped when the drain has emptied the queue (the rare burst pays 88 bytes of
/// short-lived garbage instead of every call keeping a buffer). The mailbox locks on itself: it is
/// internal and nothing else locks on a synchronization context, and a separate lock object would
/// be 24 more bytes per call. Items run with the thread pool's default execution context;
/// continuations of transaction code run in their own captured context as always.
/// </para>
/// </remarks>
internal sealed class Mailbox : SynchronizationContext, IThreadPoolWorkItem
{
    private const int RingCapacity = 4;

    private readonly ActivityTracker _tracker;
    private readonly IMailboxOwner _owner;
    // The oldest queued item, when _count > 0.
    private Work _head;
    // Items behind the head, oldest at _ringStart; null while at most one item is queued.
    private Work[]? _ring;
    private int _ringStart;
    private int _count;
    // A drain is queued on the thread pool or running.
    private bool _draining;
    private bool _closed;
    private TaskCompletionSource? _completion;

    public Mailbox(ActivityTracker tracker, IMailboxOwner owner)
    {
        _tracker = tracker;
        _owner = owner;
    }

    /// <summary>Completes once the mailbox is closed and every item queued before that has run.</summary>
    public Task Completion
    {
        get
        {
            lock (this)
            {
                if (IsFinished)
                {
                    return Task.CompletedTask;
                }

                _completion ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _completion.Task;
            }
        }
    }

    /// <summary>Items queued and not yet started (for tests and diagnostics).</summary>
    internal int QueuedCount
    {
        get
        {
            lock (this)
            {
                return _count;
            }
        }
    }

    /// <summary>Whether the overflow ring is allocated (for tests: it must not outlive a burst).</summary>
    internal bool HasOverflowStorage
    {
        get
        {
            lock (this)
            {
                return _ring is not null;
            }
        }
    }

    private bool IsFinished => _closed && !_draining && _count == 0;

    public void Post(Action action) => Post(static s => ((Action)s!)(), action);

    public override void Post(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        _tracker.Enter();
        bool accepted;
        bool schedule = false;
        lock (this)
        {
            accepted = !_closed;
            if (accepted)
            {
                Enqueue(new Work(d, state));
                schedule = !_draining;
                _draining = true;
            }
        }

        if (!accepted)
        {
            // Closed: the transaction has ended; late inputs are dropped.
            _tracker.Exit();
        }
        else if (schedule)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("Transaction code never blocks on the mailbox.");

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>No further inputs are accepted; queued ones still run.</summary>
    public void Close()
    {
        TaskCompletionSource? completion;
        lock (this)
        {
            _closed = true;
            completion = TakeCompletionIfFinished();
        }

        completion?.TrySetResult();
    }

    /// <summary>The drain: runs queued items one at a time until the queue is empty.</summary>
    void IThreadPoolWorkItem.Execute()
    {
        var previous = Current;
        while (true)
        {
            Work item;
            TaskCompletionSource? completion = null;
            lock (this)
            {
                if (_count > 0)
                {
                    item = Dequeue();
                }
                else
                {
                    item = default;
                    _draining = false;
                    // The burst is over: its overflow ring goes, and a closed mailbox keeps nothing.
                    _ring = null;
                    _ringStart = 0;
                    completion = TakeCompletionIfFinished();
                }
            }

            if (item.Callback is null)
            {
                completion?.TrySetResult();
                return;
            }

            SetSynchronizationContext(this);
            try
            {
                item.Callback(item.State);
            }
            catch (Exception ex)
            {
                _owner.OnMailboxError(ex);
            }
            finally
            {
                SetSynchronizationContext(previous);
                _tracker.Exit();
            }
        }
    }

    // Under the lock.
    private void Enqueue(Work work)
    {
        if (_count == 0)
        {
            _head = work;
            _count = 1;
            return;
        }

        // Behind the head: the ring holds items 2..n.
        var behind = _count - 1;
        if (_ring is null)
        {
            _ring = new Work[RingCapacity];
            _ringStart = 0;
        }
        else if (behind == _ring.Length)
        {
            var grown = new Work[_ring.Length * 2];
            for (var i = 0; i < behind; i++)
            {
                grown[i] = _ring[(_ringStart + i) % _ring.Length];
            }

            _ring = grown;
            _ringStart = 0;
        }

        _ring[(_ringStart + behind) % _ring.Length] = work;
        _count++;
    }

    // Under the lock, with _count > 0.
    private Work Dequeue()
    {
        var work = _head;
        _count--;
        if (_count == 0)
        {
            _head = default;
        }
        else
        {
            var ring = _ring!;
            _head = ring[_ringStart];
            ring[_ringStart] = default;
            _ringStart = (_ringStart + 1) % ring.Length;
        }

        return work;
    }

    // Under the lock.
    private TaskCompletionSource? TakeCompletionIfFinished()
    {
        if (!IsFinished)
        {
            return null;
        }

        var completion = _completion;
        _completion = null;
        return completion;
    }

    private readonly record struct Work(SendOrPostCallback Callback, object? State);
}
