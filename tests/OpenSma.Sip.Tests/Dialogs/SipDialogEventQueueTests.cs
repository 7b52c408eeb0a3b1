using OpenSma.Sip.Dialogs;

namespace OpenSma.Sip.Tests.Dialogs;

/// <summary>The dialog's event queue keeps the semantics of an unbounded single-reader channel.</summary>
public sealed class SipDialogEventQueueTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    private static SipDtmfReceived Digit(char d) => new(d, 100);

    [Fact]
    public void Events_AreReadInTheOrderWritten_AcrossGrowthAndWrapAround()
    {
        var queue = new SipDialogEventQueue();
        var expected = new List<SipDialogEvent>();
        var read = new List<SipDialogEvent>();

        // Interleave writes and reads so the ring wraps, then grows past its first size while wrapped.
        for (var round = 0; round < 5; round++)
        {
            for (var i = 0; i < 3 + round * 2; i++)
            {
                var e = Digit((char)('0' + ((round + i) % 10)));
                expected.Add(e);
                Assert.True(queue.TryWrite(e));
            }

            Assert.True(queue.TryRead(out var first));
            read.Add(first);
        }

        Assert.Equal(expected.Count - read.Count, queue.Count);
        while (queue.TryRead(out var e))
        {
            read.Add(e);
        }

        Assert.Equal(expected, read);
        Assert.Equal(0, queue.Count);
        Assert.False(queue.TryPeek(out _));
    }

    [Fact]
    public void TryPeek_ShowsTheNextEventWithoutTakingIt()
    {
        var queue = new SipDialogEventQueue();
        var e = Digit('5');
        queue.TryWrite(e);
        Assert.True(queue.TryPeek(out var peeked));
        Assert.Same(e, peeked);
        Assert.Equal(1, queue.Count);
        Assert.True(queue.TryRead(out var taken));
        Assert.Same(e, taken);
    }

    [Fact]
    public async Task AWaitingReader_IsWokenByTheNextEvent()
    {
        var queue = new SipDialogEventQueue();
        var wait = queue.WaitToReadAsync().AsTask();
        Assert.False(wait.IsCompleted);
        queue.TryWrite(Digit('1'));
        Assert.True(await wait.WaitAsync(Limit));
        Assert.True(queue.TryRead(out var e));
        Assert.Equal('1', Assert.IsType<SipDtmfReceived>(e).Digit);
    }

    [Fact]
    public async Task Completion_ReaderSeesQueuedEventsThenTheEnd()
    {
        var queue = new SipDialogEventQueue();
        queue.TryWrite(Digit('1'));
        queue.TryWrite(new SipDialogTerminated(SipEndReason.RemoteHangUp));
        Assert.True(queue.TryComplete());
        Assert.False(queue.TryComplete());
        Assert.False(queue.TryWrite(Digit('2')));
        Assert.False(queue.Completion.IsCompleted);

        var all = new List<SipDialogEvent>();
        await foreach (var e in queue.ReadAllAsync().WithCancellation(new CancellationTokenSource(Limit).Token))
        {
            all.Add(e);
        }

        Assert.Collection(all, e => Assert.IsType<SipDtmfReceived>(e), e => Assert.IsType<SipDialogTerminated>(e));
        await queue.Completion.WaitAsync(Limit);
        Assert.False(await queue.WaitToReadAsync());
        await Assert.ThrowsAsync<System.Threading.Channels.ChannelClosedException>(async () => await queue.ReadAsync());
    }

    [Fact]
    public async Task Completion_WakesAWaitingReaderWithFalse()
    {
        var queue = new SipDialogEventQueue();
        var completion = queue.Completion;
        var wait = queue.WaitToReadAsync().AsTask();
        queue.TryComplete();
        Assert.False(await wait.WaitAsync(Limit));
        await completion.WaitAsync(Limit);
    }

    [Fact]
    public async Task CancellingAWaitingReader_EndsItsWait_AndTheNextWaitStillWorks()
    {
        var queue = new SipDialogEventQueue();
        using var cts = new CancellationTokenSource();
        var wait = queue.WaitToReadAsync(cts.Token).AsTask();
        Assert.False(wait.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(Limit));

        // The cancelled wait left nothing behind: a new one is served by the next event.
        var next = queue.WaitToReadAsync(CancellationToken.None).AsTask();
        queue.TryWrite(Digit('7'));
        Assert.True(await next.WaitAsync(Limit));
        Assert.True(queue.TryRead(out _));
    }

    [Fact]
    public async Task ReadAsync_WithAnAlreadyCancelledToken_IsCancelled_AndTheEventStays()
    {
        var queue = new SipDialogEventQueue();
        queue.TryWrite(Digit('3'));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await queue.ReadAsync(new CancellationToken(true)));
        Assert.Equal('3', Assert.IsType<SipDtmfReceived>(await queue.ReadAsync()).Digit);
    }

    [Fact]
    public async Task AnEventAfterACancelledWait_IsNotLost()
    {
        var queue = new SipDialogEventQueue();
        using var cts = new CancellationTokenSource();
        var wait = queue.WaitToReadAsync(cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(Limit));
        queue.TryWrite(Digit('9'));
        Assert.Equal('9', Assert.IsType<SipDtmfReceived>(await queue.ReadAsync().AsTask().WaitAsync(Limit)).Digit);
    }

    [Fact]
    public async Task ASecondConcurrentReader_IsRefused()
    {
        var queue = new SipDialogEventQueue();
        var first = queue.WaitToReadAsync().AsTask();
        Assert.Throws<InvalidOperationException>(() => { _ = queue.WaitToReadAsync().AsTask(); });
        queue.TryComplete();
        Assert.False(await first.WaitAsync(Limit));
    }

    [Fact]
    public async Task ManyWaitsInARow_EachSeesItsEvent()
    {
        var queue = new SipDialogEventQueue();
        var reader = Task.Run(async () =>
        {
            var digits = new List<char>();
            await foreach (var e in queue.ReadAllAsync())
            {
                digits.Add(((SipDtmfReceived)e).Digit);
            }

            return digits;
        });

        var expected = new List<char>();
        for (var i = 0; i < 2000; i++)
        {
            var d = (char)('0' + (i % 10));
            expected.Add(d);
            queue.TryWrite(Digit(d));
            if (i % 7 == 0)
            {
                await Task.Yield();
            }
        }

        queue.TryComplete();
        Assert.Equal(expected, await reader.WaitAsync(Limit));
    }
}
