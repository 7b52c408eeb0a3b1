using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Engine.Runtime;

namespace OpenSma.Engine.Tests.Runtime;

/// <summary>
/// The transaction mailbox: FIFO, one item at a time on its own synchronization context, posts from
/// any thread, close, and the activity count the virtual clock waits on. Waits in these tests are
/// bounded only as a guard against a hang; nothing is asserted about how long anything takes.
/// </summary>
public sealed class MailboxTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Post_FromOneThread_RunsInPostedOrder_OneAtATime_OnTheMailboxContext()
    {
        var tracker = new ActivityTracker();
        var owner = new Owner();
        var mailbox = new Mailbox(tracker, owner);
        var ran = new List<int>();
        var running = 0;
        var overlaps = 0;
        var wrongContext = 0;
        for (var i = 0; i < 2000; i++)
        {
            var n = i;
            mailbox.Post(() =>
            {
                if (Interlocked.Increment(ref running) != 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                if (!ReferenceEquals(SynchronizationContext.Current, mailbox))
                {
                    Interlocked.Increment(ref wrongContext);
                }

                ran.Add(n);
                Interlocked.Decrement(ref running);
            });
        }

        await tracker.WhenIdleAsync().WaitAsync(Guard);
        Assert.Equal(Enumerable.Range(0, 2000), ran);
        Assert.Equal(0, overlaps);
        Assert.Equal(0, wrongContext);
        Assert.Empty(owner.Errors);
    }

    [Fact]
    public async Task Post_FromManyThreadsAtOnce_KeepsEachPostersOrder_AndRunsEveryItemOnce()
    {
        const int Posters = 4;
        const int PerPoster = 5000;
        var tracker = new ActivityTracker();
        var mailbox = new Mailbox(tracker, new Owner());
        var seen = new List<(int Poster, int Index)>();
        var running = 0;
        var overlaps = 0;
        using var start = new Barrier(Posters);
        var posters = Enumerable.Range(0, Posters).Select(p => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait(Guard);
                for (var i = 0; i < PerPoster; i++)
                {
                    var item = (p, i);
                    mailbox.Post(() =>
                    {
                        if (Interlocked.Increment(ref running) != 1)
                        {
                            Interlocked.Increment(ref overlaps);
                        }

                        // No lock: the mailbox runs one item at a time, so a plain list is safe here.
                        seen.Add(item);
                        Interlocked.Decrement(ref running);
                    });
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();

        await Task.WhenAll(posters).WaitAsync(Guard);
        await tracker.WhenIdleAsync().WaitAsync(Guard);

        Assert.Equal(0, overlaps);
        Assert.Equal(Posters * PerPoster, seen.Count);
        for (var p = 0; p < Posters; p++)
        {
            var poster = p;
            Assert.Equal(Enumerable.Range(0, PerPoster), seen.Where(s => s.Poster == poster).Select(s => s.Index));
        }
    }

    [Fact]
    public async Task Post_FromInsideAnItem_RunsAfterTheItemsAlreadyQueued()
    {
        var tracker = new ActivityTracker();
        var mailbox = new Mailbox(tracker, new Owner());
        var order = new List<string>();
        using var gate = new ManualResetEventSlim();
        mailbox.Post(() =>
        {
            gate.Wait(Guard);
            order.Add("first");
            mailbox.Post(() => order.Add("posted by first"));
        });
        mailbox.Post(() => order.Add("second"));
        mailbox.Post(() => order.Add("third"));
        gate.Set();

        await tracker.WhenIdleAsync().WaitAsync(Guard);
        Assert.Equal(["first", "second", "third", "posted by first"], order);
    }

    [Fact]
    public async Task Item_ThatThrows_GoesToTheOwnerOnTheMailbox_AndLaterItemsStillRun()
    {
        var tracker = new ActivityTracker();
        var owner = new Owner();
        var mailbox = new Mailbox(tracker, owner);
        var after = false;
        mailbox.Post(() => throw new InvalidOperationException("boom"));
        mailbox.Post(() => after = true);

        await tracker.WhenIdleAsync().WaitAsync(Guard);
        var error = Assert.Single(owner.Errors);
        Assert.Equal("boom", error.Exception.Message);
        Assert.Same(mailbox, error.Context);
        Assert.True(after);
    }

    [Fact]
    public async Task Close_QueuedItemsStillRun_LaterPostsAreDropped_AndTheCountReturnsToIdle()
    {
        var tracker = new ActivityTracker();
        var mailbox = new Mailbox(tracker, new Owner());
        var ran = new List<string>();
        using var gate = new ManualResetEventSlim();
        mailbox.Post(() => gate.Wait(Guard));
        mailbox.Post(() => ran.Add("queued before close"));
        mailbox.Close();
        mailbox.Post(() => ran.Add("posted after close"));
        var completion = mailbox.Completion;
        Assert.False(completion.IsCompleted);
        Assert.False(tracker.IsIdle);

        gate.Set();
        await completion.WaitAsync(Guard);
        await tracker.WhenIdleAsync().WaitAsync(Guard);
        Assert.Equal(["queued before close"], ran);
        Assert.Equal(0, mailbox.QueuedCount);
        Assert.False(mailbox.HasOverflowStorage);

        // Long after: a late input (a leg report after the call ended) is dropped and leaves nothing busy.
        mailbox.Post(() => ran.Add("late"));
        Assert.True(tracker.IsIdle);
        Assert.True(mailbox.Completion.IsCompleted);
        Assert.Equal(["queued before close"], ran);
    }

    [Fact]
    public async Task Completion_IsPendingUntilClosed()
    {
        var tracker = new ActivityTracker();
        var mailbox = new Mailbox(tracker, new Owner());
        mailbox.Post(() => { });
        await tracker.WhenIdleAsync().WaitAsync(Guard);
        var completion = mailbox.Completion;
        Assert.False(completion.IsCompleted);

        mailbox.Close();
        await completion.WaitAsync(Guard);
    }

    [Fact]
    public async Task Burst_OverflowStorageIsReleased_WhenTheQueueHasDrained()
    {
        var tracker = new ActivityTracker();
        var mailbox = new Mailbox(tracker, new Owner());
        var ran = 0;
        using var gate = new ManualResetEventSlim();
        mailbox.Post(() => gate.Wait(Guard));
        for (var i = 0; i < 100; i++)
        {
            mailbox.Post(() => ran++);
        }

        Assert.True(mailbox.HasOverflowStorage);
        gate.Set();
        await tracker.WhenIdleAsync().WaitAsync(Guard);
        Assert.Equal(100, ran);
        Assert.False(mailbox.HasOverflowStorage);

        // And it still works afterwards.
        mailbox.Post(() => ran++);
        await tracker.WhenIdleAsync().WaitAsync(Guard);
        Assert.Equal(101, ran);
    }

    [Fact]
    public async Task ActivityCount_IsBusyFromThePostUntilTheItemHasRun()
    {
        var tracker = new ActivityTracker();
        var mailbox = new Mailbox(tracker, new Owner());
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        mailbox.Post(() =>
        {
            entered.Set();
            release.Wait(Guard);
        });

        Assert.False(tracker.IsIdle);
        Assert.True(entered.Wait(Guard));
        var idle = tracker.WhenIdleAsync();
        Assert.False(idle.IsCompleted);
        Assert.False(tracker.IsIdle);

        release.Set();
        await idle.WaitAsync(Guard);
        Assert.True(tracker.IsIdle);
    }

    [Fact]
    public async Task ActivityCount_ItemPostingAFollowUp_NeverDropsToIdleInBetween()
    {
        var tracker = new ActivityTracker();
        var mailbox = new Mailbox(tracker, new Owner());
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        Task? idleSeenByFirst = null;
        var idleCompletedBeforeFollowUp = true;
        mailbox.Post(() =>
        {
            entered.Set();
            release.Wait(Guard);
            idleSeenByFirst = tracker.WhenIdleAsync();
            mailbox.Post(() => idleCompletedBeforeFollowUp = idleSeenByFirst.IsCompleted);
        });

        Assert.True(entered.Wait(Guard));
        release.Set();
        await tracker.WhenIdleAsync().WaitAsync(Guard);
        await idleSeenByFirst!.WaitAsync(Guard);
        Assert.False(idleCompletedBeforeFollowUp);
    }

    [Fact]
    public async Task ActivityCount_MailboxWaitOnTheVirtualClock_HandsBackWithoutAnIdleMoment()
    {
        // The hand-off VirtualTimeDriver relies on: the clock's timer completes the wait, and the
        // waiting code is queued on the mailbox before the timer callback returns, so the engine
        // is busy again before the driver can look.
        var tracker = new ActivityTracker();
        var mailbox = new Mailbox(tracker, new Owner());
        var time = new FakeTimeProvider();
        var source = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var outcome = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var resumedOnMailbox = false;
        mailbox.Post(async () =>
        {
            var result = await MailboxWait.ResultOrFalseAsync(source, TimeSpan.FromSeconds(5), time, CancellationToken.None);
            resumedOnMailbox = ReferenceEquals(SynchronizationContext.Current, mailbox);
            outcome.SetResult(result);
        });
        await tracker.WhenIdleAsync().WaitAsync(Guard);

        time.Advance(TimeSpan.FromSeconds(4.98));
        Assert.True(tracker.IsIdle);
        time.Advance(TimeSpan.FromSeconds(0.02));
        Assert.False(tracker.IsIdle);

        await tracker.WhenIdleAsync().WaitAsync(Guard);
        Assert.False(await outcome.Task.WaitAsync(Guard));
        Assert.True(resumedOnMailbox);
    }

    private sealed class Owner : IMailboxOwner
    {
        public ConcurrentQueue<(Exception Exception, SynchronizationContext? Context)> Errors { get; } = new();

        public void OnMailboxError(Exception exception) => Errors.Enqueue((exception, SynchronizationContext.Current));
    }
}
