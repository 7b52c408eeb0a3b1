using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Media.Dtmf;

namespace OpenSma.Media.Tests.Dtmf;

public sealed class DigitStreamTests
{
    private static List<DtmfDigit> Drain(DigitStream stream)
    {
        var result = new List<DtmfDigit>();
        while (stream.Reader.TryRead(out var digit))
        {
            result.Add(digit);
        }

        return result;
    }

    [Fact]
    public void Sources_AreMergedInArrivalOrder()
    {
        var time = new FakeTimeProvider();
        var stream = new DigitStream(time);

        stream.OnInBand('1');
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(stream.OnSipInfo('2'));
        time.Advance(TimeSpan.FromSeconds(1));
        stream.OnTelephoneEvent('3');

        var digits = Drain(stream);
        Assert.Equal("123", new string([.. digits.Select(d => d.Digit)]));
        Assert.Equal([DtmfSource.InBand, DtmfSource.SipInfo, DtmfSource.Rfc4733], digits.Select(d => d.Source));
        Assert.Equal(time.GetUtcNow(), digits[2].ReceivedAt);
    }

    [Fact]
    public void OnInBand_AfterRfc4733Seen_IsIgnored()
    {
        var time = new FakeTimeProvider();
        var stream = new DigitStream(time);
        stream.OnTelephoneEvent('4');
        time.Advance(TimeSpan.FromSeconds(2));

        stream.OnInBand('5');

        Assert.True(stream.InBandSuppressed);
        Assert.Equal("4", new string([.. Drain(stream).Select(d => d.Digit)]));
    }

    [Fact]
    public void SamePressFromInfoAndRfc4733_CountedOnce()
    {
        var time = new FakeTimeProvider();
        var stream = new DigitStream(time);

        stream.OnTelephoneEvent('7');
        time.Advance(TimeSpan.FromMilliseconds(50));
        stream.OnSipInfo('7');
        time.Advance(TimeSpan.FromSeconds(1));
        stream.OnSipInfo('7');

        Assert.Equal(2, Drain(stream).Count);
    }

    [Fact]
    public void RepeatedDigitFromOneSource_AllCounted()
    {
        var stream = new DigitStream(new FakeTimeProvider());

        stream.OnTelephoneEvent('1');
        stream.OnTelephoneEvent('1');

        Assert.Equal(2, Drain(stream).Count);
    }

    [Fact]
    public void OnSipInfo_NotADigit_Rejected()
    {
        var stream = new DigitStream(new FakeTimeProvider());

        Assert.False(stream.OnSipInfo('x'));
        Assert.True(stream.OnSipInfo('a'));
        Assert.Equal('A', Drain(stream).Single().Digit);
    }

    // The reader behaves as an unbounded channel's reader did: order, waiting readers, completion, cancellation.

    [Fact]
    public async Task Reader_WaitingBeforeTheFirstDigit_GetsEveryDigitInOrder()
    {
        var time = new FakeTimeProvider();
        var stream = new DigitStream(time);
        var read = ReadAllAsync(stream);
        await Task.Yield();
        Assert.False(read.IsCompleted);

        foreach (var digit in "19#*")
        {
            stream.OnSipInfo(digit);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        stream.Complete();

        Assert.Equal("19#*", await read.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Complete_WithDigitsQueued_ReadersDrainThenSeeTheEnd()
    {
        var stream = new DigitStream(new FakeTimeProvider());
        stream.OnTelephoneEvent('1');
        stream.OnTelephoneEvent('2');
        stream.Complete();
        stream.OnTelephoneEvent('3'); // after the end: dropped

        Assert.False(stream.Reader.Completion.IsCompleted);
        Assert.Equal(2, stream.Reader.Count);
        Assert.True(stream.Reader.TryPeek(out var peeked));
        Assert.Equal('1', peeked.Digit);
        Assert.Equal('1', (await stream.Reader.ReadAsync()).Digit);
        Assert.True(await stream.Reader.WaitToReadAsync());
        Assert.Equal('2', (await stream.Reader.ReadAsync()).Digit);
        Assert.False(await stream.Reader.WaitToReadAsync());
        await Assert.ThrowsAsync<ChannelClosedException>(async () => await stream.Reader.ReadAsync());
        await stream.Reader.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(stream.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Complete_WhileReadersWait_EndsEveryWait()
    {
        var stream = new DigitStream(new FakeTimeProvider());
        var first = stream.Reader.WaitToReadAsync().AsTask();
        var second = stream.Reader.ReadAsync().AsTask();
        var completion = stream.Reader.Completion;
        Assert.False(first.IsCompleted);
        Assert.False(completion.IsCompleted);

        stream.Complete();

        Assert.False(await first.WaitAsync(TimeSpan.FromSeconds(10)));
        await Assert.ThrowsAsync<ChannelClosedException>(() => second.WaitAsync(TimeSpan.FromSeconds(10)));
        await completion.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ManyReaders_EachDigitIsReadOnce()
    {
        var stream = new DigitStream(new FakeTimeProvider());
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(() => ReadAllAsync(stream))).ToArray();
        await Task.Delay(50);

        // Repeats from one source all count, so 200 presses of four digits are 200 digits.
        var sent = new string([.. Enumerable.Range(0, 200).Select(i => "1234"[i % 4])]);
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (var i = w; i < sent.Length; i += 4)
            {
                stream.OnTelephoneEvent(sent[i]);
            }
        })).ToArray();
        await Task.WhenAll(writers);
        stream.Complete();

        var received = string.Concat(await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(200, received.Length);
        Assert.Equal(sent.Order(), received.Order());
    }

    [Fact]
    public async Task CancelledWait_EndsOnlyThatWait_AndTakesNoDigit()
    {
        var stream = new DigitStream(new FakeTimeProvider());
        using var cancel = new CancellationTokenSource();
        var cancelled = stream.Reader.ReadAsync(cancel.Token).AsTask();
        var other = stream.Reader.ReadAsync().AsTask();

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(other.IsCompleted);

        stream.OnSipInfo('5');
        Assert.Equal('5', (await other.WaitAsync(TimeSpan.FromSeconds(10))).Digit);
        Assert.False(stream.Reader.TryRead(out _));

        // Already cancelled: fails at once and leaves the queue alone.
        stream.OnSipInfo('6');
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await stream.Reader.WaitToReadAsync(cancel.Token));
        Assert.Equal('6', (await stream.Reader.ReadAsync()).Digit);
    }

    [Fact]
    public async Task ManyCancelledWaits_LeaveNoWaiterBehind()
    {
        // A collector that times out every wait for the whole call must not pile up waiters.
        var stream = new DigitStream(new FakeTimeProvider());
        var reader = Assert.IsType<DigitReader>(stream.Reader);
        var pending = stream.Reader.WaitToReadAsync().AsTask();
        for (var i = 0; i < 1000; i++)
        {
            using var cancel = new CancellationTokenSource();
            var wait = stream.Reader.WaitToReadAsync(cancel.Token).AsTask();
            Assert.Equal(2, reader.WaitingReaders);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        }

        Assert.Equal(1, reader.WaitingReaders);
        stream.OnSipInfo('7');
        Assert.True(await pending.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, reader.WaitingReaders);
        Assert.Equal('7', (await stream.Reader.ReadAsync()).Digit);
    }

    [Fact]
    public async Task ReadAllAsync_Cancelled_EndsThatLoopOnly_AndTakesNoDigit()
    {
        var stream = new DigitStream(new FakeTimeProvider());
        using var cancel = new CancellationTokenSource();
        var cancelled = Task.Run(async () =>
        {
            await foreach (var digit in stream.Reader.ReadAllAsync(cancel.Token))
            {
                return digit.Digit;
            }

            return '-';
        });
        var other = ReadAllAsync(stream);
        var reader = Assert.IsType<DigitReader>(stream.Reader);
        while (reader.WaitingReaders < 2)
        {
            await Task.Delay(5);
        }

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, reader.WaitingReaders);

        stream.OnSipInfo('8');
        stream.OnSipInfo('9');
        stream.Complete();
        Assert.Equal("89", await other.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task CancellationRacingWrites_NoDigitIsLostOrReadTwice()
    {
        // Loops are cancelled while digits are being written: a digit is either handed to a loop
        // (which then gets it, cancelled or not) or stays queued for the next reader.
        var stream = new DigitStream(new FakeTimeProvider());
        var received = 0;
        const int Rounds = 200;
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < Rounds; i++)
            {
                stream.OnTelephoneEvent('1');
                Thread.SpinWait(200 * (i % 7));
            }
        });

        while (!writer.IsCompleted)
        {
            using var cancel = new CancellationTokenSource();
            var loop = Task.Run(async () =>
            {
                var count = 0;
                try
                {
                    await foreach (var digit in stream.Reader.ReadAllAsync(cancel.Token))
                    {
                        count++;
                    }
                }
                catch (OperationCanceledException)
                {
                }

                return count;
            });
            Thread.SpinWait(500);
            await cancel.CancelAsync();
            received += await loop.WaitAsync(TimeSpan.FromSeconds(10));
        }

        await writer;
        stream.Complete();
        while (stream.Reader.TryRead(out _))
        {
            received++;
        }

        Assert.Equal(Rounds, received);
        Assert.Equal(0, Assert.IsType<DigitReader>(stream.Reader).WaitingReaders);
    }

    [Fact]
    public async Task ReadAllAsync_SameEnumerableTwice_EachEnumerationReadsOn()
    {
        var stream = new DigitStream(new FakeTimeProvider());
        var all = stream.Reader.ReadAllAsync();
        stream.OnSipInfo('1');
        stream.OnSipInfo('2');

        await using (var first = all.GetAsyncEnumerator())
        {
            Assert.True(await first.MoveNextAsync());
            Assert.Equal('1', first.Current.Digit);
        }

        using var cancel = new CancellationTokenSource();
        await using var second = all.GetAsyncEnumerator(cancel.Token);
        Assert.True(await second.MoveNextAsync());
        Assert.Equal('2', second.Current.Digit);
        var waiting = second.MoveNextAsync().AsTask();
        Assert.False(waiting.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task NewStream_WithAWaitingLoop_StaysSmall()
    {
        // An unbounded channel per leg cost about 0.7 KB even if no digit ever came, and the
        // reading loop each leg keeps (ReadAllAsync) about 0.35 KB more.
        var time = new FakeTimeProvider();
        var warm = new DigitStream(time);
        var warmWait = warm.Reader.ReadAllAsync().GetAsyncEnumerator().MoveNextAsync();
        warm.Complete();
        Assert.False(await warmWait);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var stream = new DigitStream(time);
        var waiting = stream.Reader.ReadAllAsync().GetAsyncEnumerator().MoveNextAsync();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.False(waiting.IsCompleted);
        Assert.True(allocated < 400, $"a stream and one waiting loop allocated {allocated} bytes");
        stream.Complete();
        Assert.False(await waiting);
    }

    private static async Task<string> ReadAllAsync(DigitStream stream)
    {
        var digits = new List<char>();
        await foreach (var digit in stream.Reader.ReadAllAsync())
        {
            digits.Add(digit.Digit);
        }

        return new string([.. digits]);
    }

    private sealed class PressLog : IDigitPressObserver
    {
        public List<DigitPress> Reports { get; } = [];

        public void OnPress(in DigitPress press) => Reports.Add(press);
    }

    [Fact]
    public void PressObserver_SipInfoWithDuration_IsAnEndedPressOfThatLength()
    {
        var stream = new DigitStream(new FakeTimeProvider());
        var log = new PressLog();
        using var registration = stream.AddPressObserver(log);

        Assert.True(stream.OnSipInfo('a', TimeSpan.FromMilliseconds(500)));
        Assert.True(stream.OnSipInfo('b'));
        stream.OnInBand('C');
        Assert.False(stream.OnSipInfo('x', TimeSpan.FromMilliseconds(100)));

        Assert.Equal(
            [('A', DtmfSource.SipInfo, DigitPressState.Ended, 4000), ('B', DtmfSource.SipInfo, DigitPressState.LengthUnknown, 0), ('C', DtmfSource.InBand, DigitPressState.LengthUnknown, 0)],
            log.Reports.Select(r => (r.Digit, r.Source, r.State, r.Duration)));
        Assert.All(log.Reports, r => Assert.True(r.IsStart));
        Assert.Equal([1, 2, 3], log.Reports.Select(r => r.Serial));
        Assert.Equal("ABC", new string([.. Drain(stream).Select(d => d.Digit)])); // the reader still gets every digit
    }

    [Fact]
    public void PressObserver_LongSipInfoDuration_IsCut_AndRemovedObserverHearsNothing()
    {
        var stream = new DigitStream(new FakeTimeProvider());
        var log = new PressLog();
        var registration = stream.AddPressObserver(log);

        stream.OnSipInfo('1', TimeSpan.FromMinutes(5));
        registration.Dispose();
        stream.OnSipInfo('2', TimeSpan.FromMilliseconds(100));

        Assert.Equal([(int)(DigitStream.MaxSignalledLength.TotalMilliseconds * 8)], log.Reports.Select(r => r.Duration));
    }
}
