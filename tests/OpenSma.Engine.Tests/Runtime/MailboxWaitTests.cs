using Microsoft.Extensions.Time.Testing;
using OpenSma.Engine.Runtime;

namespace OpenSma.Engine.Tests.Runtime;

/// <summary>
/// MailboxWait hands the waiting code back to the mailbox in the same breath as whatever completed
/// the wait, so the activity count never drops to zero in between (Task.WaitAsync on such a source
/// goes through a thread-pool hop first).
/// </summary>
public sealed class MailboxWaitTests
{
    [Fact]
    public async Task Completed_PostsTheWaiterToTheContextAtOnce()
    {
        var context = new QueueContext();
        var source = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = context.Start(() => MailboxWait.ResultOrFalseAsync(source, TimeSpan.FromSeconds(10), new FakeTimeProvider(), CancellationToken.None));

        source.TrySetResult(true);
        Assert.Equal(1, context.Queued);
        context.RunQueued();
        Assert.True(await waiting);
    }

    [Fact]
    public async Task TimedOut_OnTheClocksTimer_PostsTheWaiterAtOnceWithFalse()
    {
        var context = new QueueContext();
        var time = new FakeTimeProvider();
        var source = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = context.Start(() => MailboxWait.ResultOrFalseAsync(source, TimeSpan.FromSeconds(10), time, CancellationToken.None));

        time.Advance(TimeSpan.FromSeconds(9.99));
        Assert.Equal(0, context.Queued);
        time.Advance(TimeSpan.FromSeconds(0.01));
        Assert.Equal(1, context.Queued);
        context.RunQueued();
        Assert.False(await waiting);
    }

    [Fact]
    public async Task Cancelled_PostsTheWaiterAtOnce_AndThrows()
    {
        var context = new QueueContext();
        using var cts = new CancellationTokenSource();
        var source = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = context.Start(() => MailboxWait.ResultOrFalseAsync(source, TimeSpan.FromSeconds(10), new FakeTimeProvider(), cts.Token));

        await cts.CancelAsync();
        Assert.Equal(1, context.Queued);
        context.RunQueued();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    /// <summary>A mailbox stand-in: posts queue up until the test runs them.</summary>
    private sealed class QueueContext : SynchronizationContext
    {
        private readonly Queue<(SendOrPostCallback, object?)> _queue = new();

        public int Queued
        {
            get
            {
                lock (_queue)
                {
                    return _queue.Count;
                }
            }
        }

        public override void Post(SendOrPostCallback d, object? state)
        {
            lock (_queue)
            {
                _queue.Enqueue((d, state));
            }
        }

        public Task<T> Start<T>(Func<Task<T>> start)
        {
            var previous = Current;
            SetSynchronizationContext(this);
            try
            {
                return start();
            }
            finally
            {
                SetSynchronizationContext(previous);
            }
        }

        public void RunQueued()
        {
            var previous = Current;
            SetSynchronizationContext(this);
            try
            {
                while (true)
                {
                    (SendOrPostCallback Callback, object? State) item;
                    lock (_queue)
                    {
                        if (!_queue.TryDequeue(out item))
                        {
                            return;
                        }
                    }

                    item.Callback(item.State);
                }
            }
            finally
            {
                SetSynchronizationContext(previous);
            }
        }
    }
}
