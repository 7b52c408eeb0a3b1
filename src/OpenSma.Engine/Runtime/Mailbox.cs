using System.Threading.Channels;

namespace OpenSma.Engine.Runtime;

/// <summary>
/// The single-reader mailbox of one transaction, exposed as a <see cref="SynchronizationContext"/>:
/// every input and every continuation of transaction code runs here, one at a time, in order. Call
/// state therefore needs no locks, and awaits inside transaction code come back to the mailbox.
/// </summary>
internal sealed class Mailbox : SynchronizationContext
{
    private readonly Channel<(SendOrPostCallback Callback, object? State)> _channel =
        Channel.CreateUnbounded<(SendOrPostCallback, object?)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly ActivityTracker _tracker;
    private readonly Action<Exception> _onError;
    private readonly Task _loop;

    public Mailbox(ActivityTracker tracker, Action<Exception> onError)
    {
        _tracker = tracker;
        _onError = onError;
        _loop = Task.Run(RunAsync);
    }

    public Task Completion => _loop;

    public void Post(Action action) => Post(static s => ((Action)s!)(), action);

    public override void Post(SendOrPostCallback d, object? state)
    {
        _tracker.Enter();
        if (!_channel.Writer.TryWrite((d, state)))
        {
            // Closed: the transaction has ended; late inputs are dropped.
            _tracker.Exit();
        }
    }

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("Transaction code never blocks on the mailbox.");

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>No further inputs are accepted; queued ones still run.</summary>
    public void Close() => _channel.Writer.TryComplete();

    private async Task RunAsync()
    {
        var reader = _channel.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var item))
            {
                var previous = Current;
                SetSynchronizationContext(this);
                try
                {
                    item.Callback(item.State);
                }
                catch (Exception ex)
                {
                    _onError(ex);
                }
                finally
                {
                    SetSynchronizationContext(previous);
                    _tracker.Exit();
                }
            }
        }
    }
}
