using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using System.Threading.Tasks.Sources;

namespace OpenSma.Sip.Dialogs;

/// <summary>
/// The events of one dialog, for its one reader: what <see cref="SipDialog.Events"/> returns. It
/// behaves as the reader of an unbounded single-reader channel (order kept, completion once the
/// dialog has ended and every event was read, a waiting read cancelled by its token) at a fraction
/// of the weight, since every live call holds one: the storage is a small ring made on the first
/// event and dropped whenever the reader has taken everything (a call sees a handful of events,
/// each read at once, so an idle call holds no storage), and the reader's wait is this object itself (a reusable
/// <see cref="IValueTaskSource{TResult}"/>), so waiting allocates nothing. Writes come from the
/// SIP stack under its gate; the reader may be on any thread. Continuations never run inline in
/// the writer (which holds the gate).
/// </summary>
internal sealed class SipDialogEventQueue : ChannelReader<SipDialogEvent>, IValueTaskSource<bool>
{
    private const int FirstCapacity = 4;

    // Guards everything below. A private object would cost every dialog another allocation; this
    // instance is only ever seen by applications as a ChannelReader, which nobody locks.
    private object Sync => this;

    private SipDialogEvent?[]? _items;
    private int _head;
    private int _count;
    private bool _completed;

    // The one pending WaitToReadAsync, if any.
    private ManualResetValueTaskSourceCore<bool> _waiter = new() { RunContinuationsAsynchronously = true };
    private bool _waiting;
    private CancellationTokenRegistration _waitRegistration;
    private CancellationToken _waitToken;

    // Made only when someone asks for Completion.
    private TaskCompletionSource? _completion;

    public override bool CanCount => true;

    public override int Count
    {
        get
        {
            lock (Sync)
            {
                return _count;
            }
        }
    }

    public override bool CanPeek => true;

    public override Task Completion
    {
        get
        {
            lock (Sync)
            {
                _completion ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_completed && _count == 0)
                {
                    _completion.TrySetResult();
                }

                return _completion.Task;
            }
        }
    }

    /// <summary>Adds an event; false once the queue was completed (the dialog has ended).</summary>
    public bool TryWrite(SipDialogEvent item)
    {
        lock (Sync)
        {
            if (_completed)
            {
                return false;
            }

            if (_items is null)
            {
                _items = new SipDialogEvent?[FirstCapacity];
            }
            else if (_count == _items.Length)
            {
                var grown = new SipDialogEvent?[_items.Length * 2];
                for (var i = 0; i < _count; i++)
                {
                    grown[i] = _items[(_head + i) % _items.Length];
                }

                _items = grown;
                _head = 0;
            }

            _items[(_head + _count) % _items.Length] = item;
            _count++;
            WakeReader(true);
            return true;
        }
    }

    /// <summary>No more events: the reader sees the ones queued, then the end.</summary>
    public bool TryComplete()
    {
        lock (Sync)
        {
            if (_completed)
            {
                return false;
            }

            _completed = true;
            WakeReader(_count > 0);
            if (_count == 0)
            {
                _completion?.TrySetResult();
            }

            return true;
        }
    }

    public override bool TryRead([MaybeNullWhen(false)] out SipDialogEvent item)
    {
        lock (Sync)
        {
            if (_count == 0)
            {
                item = null;
                return false;
            }

            item = _items![_head]!;
            _items[_head] = null;
            _head = (_head + 1) % _items.Length;
            _count--;
            if (_count == 0)
            {
                DropStorage();
                if (_completed)
                {
                    _completion?.TrySetResult();
                }
            }

            return true;
        }
    }

    public override bool TryPeek([MaybeNullWhen(false)] out SipDialogEvent item)
    {
        lock (Sync)
        {
            item = _count == 0 ? null : _items![_head];
            return item is not null;
        }
    }

    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<bool>(cancellationToken);
        }

        lock (Sync)
        {
            if (_count > 0)
            {
                return new ValueTask<bool>(true);
            }

            if (_completed)
            {
                return new ValueTask<bool>(false);
            }

            if (_waiting)
            {
                throw new InvalidOperationException("A dialog's events have one reader: another read is already waiting.");
            }

            _waiter.Reset();
            _waiting = true;
            _waitToken = cancellationToken;
            if (cancellationToken.CanBeCanceled)
            {
                _waitRegistration = cancellationToken.UnsafeRegister(static (state, token) => ((SipDialogEventQueue)state!).CancelWait(token), this);
            }

            return new ValueTask<bool>(this, _waiter.Version);
        }
    }

    /// <summary>Completes the pending wait, if any (under <see cref="Sync"/>).</summary>
    private void WakeReader(bool canRead)
    {
        if (!_waiting)
        {
            return;
        }

        _waiting = false;
        _waitToken = default;
        // Unregister does not wait for a callback already running; that one finds no wait (or
        // another token's wait) and leaves it alone.
        _waitRegistration.Unregister();
        _waitRegistration = default;
        _waiter.SetResult(canRead);
    }

    private void CancelWait(CancellationToken token)
    {
        lock (Sync)
        {
            if (!_waiting || _waitToken != token)
            {
                return;
            }

            _waiting = false;
            _waitToken = default;
            _waitRegistration = default;
            _waiter.SetException(new OperationCanceledException(token));
        }
    }

    private void DropStorage()
    {
        _items = null;
        _head = 0;
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _waiter.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _waiter.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _waiter.OnCompleted(continuation, state, token, flags);
}
