using OpenSma.Functions.Logs;

namespace OpenSma.Functions.Tests.Logs;

public sealed class FunctionLogBookTests
{
    private static FunctionLogEntry Entry(string function, string text, string? tx = "tx-1") =>
        new(DateTimeOffset.UnixEpoch, function, "req-1", tx, FunctionLogStream.Stdout, text);

    [Fact]
    public void Read_MoreThanCapacity_KeepsTheNewestOldestFirst()
    {
        var book = new FunctionLogBook(capacity: 3);

        book.Append([Entry("f", "1"), Entry("f", "2"), Entry("g", "other"), Entry("f", "3"), Entry("f", "4")]);

        Assert.Equal(["2", "3", "4"], book.Read("f").Select(e => e.Text));
        Assert.Equal(["4"], book.Read("f", max: 1).Select(e => e.Text));
        Assert.Equal(["other"], book.Read("g").Select(e => e.Text));
        Assert.Empty(book.Read("nobody"));
    }

    [Fact]
    public void Read_ByTransaction_FiltersLines()
    {
        var book = new FunctionLogBook(capacity: 10);

        book.Append([Entry("f", "a", "tx-1"), Entry("f", "b", "tx-2"), Entry("f", "c", "tx-1")]);

        Assert.Equal(["a", "c"], book.Read("f", transactionId: "tx-1").Select(e => e.Text));
    }

    [Fact]
    public async Task FollowAsync_LinesAppendedAfterStart_AreStreamedForThatFunctionOnly()
    {
        var book = new FunctionLogBook(capacity: 10);
        using var cts = new CancellationTokenSource();
        var seen = new List<string>();
        var follower = book.FollowAsync("f", cts.Token).GetAsyncEnumerator(cts.Token);
        var first = follower.MoveNextAsync();

        book.Append([Entry("g", "not mine"), Entry("f", "one"), Entry("f", "two")]);
        Assert.True(await first);
        seen.Add(follower.Current.Text);
        Assert.True(await follower.MoveNextAsync());
        seen.Add(follower.Current.Text);
        var third = follower.MoveNextAsync();
        await cts.CancelAsync();

        Assert.Equal(["one", "two"], seen);
        Assert.False(await third);
        await follower.DisposeAsync();
    }

    [Fact]
    public void ToString_Entry_CarriesRequestAndTransaction()
    {
        var text = Entry("ivr", "hello").ToString();

        Assert.Equal("1970-01-01T00:00:00.000Z ivr RequestId=req-1 TransactionId=tx-1 stdout: hello", text);
    }

    [Fact]
    public async Task ReadAndFollowAsync_GivesBacklogThenNewLinesOfTheTransactionOnce()
    {
        var book = new FunctionLogBook(capacity: 10);
        book.Append([Entry("f", "old-1", "tx-1"), Entry("f", "old-other", "tx-2"), Entry("f", "old-2", "tx-1")]);
        using var stop = new CancellationTokenSource();
        var seen = new List<string>();

        await using var lines = book.ReadAndFollowAsync("f", max: 1, transactionId: "tx-1", stop.Token).GetAsyncEnumerator();
        Assert.True(await lines.MoveNextAsync());
        seen.Add(lines.Current.Text);
        book.Append([Entry("f", "new-other", "tx-2"), Entry("g", "other-function", "tx-1"), Entry("f", "new-1", "tx-1")]);
        Assert.True(await lines.MoveNextAsync());
        seen.Add(lines.Current.Text);
        var pending = lines.MoveNextAsync();
        await stop.CancelAsync();

        Assert.False(await pending);
        Assert.Equal(["old-2", "new-1"], seen);
    }
}
