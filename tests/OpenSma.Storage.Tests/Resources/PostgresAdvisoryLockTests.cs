using Dapper;
using Npgsql;
using OpenSma.Storage.Resources;
using OpenSma.Testing;

namespace OpenSma.Storage.Tests.Resources;

/// <summary>The cross-process lock against a real PostgreSQL server; each lock instance has its own
/// connection pool, as two OpenSMA processes would.</summary>
public sealed class PostgresAdvisoryLockTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RunAsync_TwoInstancesReadThenWrite_NoIncrementIsLost()
    {
        var database = await server.CreateDatabaseAsync();
        await using (var setup = new NpgsqlConnection(database))
        {
            await setup.ExecuteAsync("CREATE TABLE counter (value INT NOT NULL); INSERT INTO counter VALUES (0);");
        }

        using var first = new PostgresAdvisoryLock(database);
        using var second = new PostgresAdvisoryLock(database);
        var inside = 0;
        var mostInside = 0;

        // Each body reads, then writes read+1 in a separate statement on its own connection: a lost update
        // unless nobody else runs between the two.
        async Task<int> IncrementAsync()
        {
            var now = Interlocked.Increment(ref inside);
            InterlockedMax(ref mostInside, now);
            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            var value = await connection.ExecuteScalarAsync<int>("SELECT value FROM counter");
            await connection.ExecuteAsync("UPDATE counter SET value = @Value", new { Value = value + 1 });
            Interlocked.Decrement(ref inside);
            return value;
        }

        var runs = Enumerable.Range(0, 24).Select(i => (i % 2 == 0 ? first : second)
            .RunAsync("counter", IncrementAsync, _ => Task.CompletedTask, CancellationToken.None));
        var seen = await Task.WhenAll(runs).WaitAsync(Generous);

        await using var check = new NpgsqlConnection(database);
        Assert.Equal(24, await check.ExecuteScalarAsync<int>("SELECT value FROM counter"));
        Assert.Equal(Enumerable.Range(0, 24).ToArray(), seen.Order().ToArray());
        Assert.Equal(1, mostInside);
    }

    [Fact]
    public async Task RunAsync_DifferentNames_DoNotWaitForEachOther()
    {
        var database = await server.CreateDatabaseAsync();
        using var first = new PostgresAdvisoryLock(database);
        using var second = new PostgresAdvisoryLock(database);

        // Taking "b" while "a" is held would never finish if the two names shared a key.
        var result = await first.RunAsync(
            "opensma/proxy-sessions/a",
            () => second.RunAsync("opensma/proxy-sessions/b", () => Task.FromResult("both held"), _ => Task.CompletedTask, CancellationToken.None),
            _ => Task.CompletedTask,
            CancellationToken.None).WaitAsync(Generous);

        Assert.Equal("both held", result);
    }

    [Fact]
    public async Task RunAsync_SameName_SecondWaitsUntilFirstEnds()
    {
        var database = await server.CreateDatabaseAsync();
        using var first = new PostgresAdvisoryLock(database);
        using var second = new PostgresAdvisoryLock(database);
        var release = new TaskCompletionSource();
        var firstInside = new TaskCompletionSource();
        var order = new List<string>();

        var holding = first.RunAsync(
            "same",
            async () =>
            {
                firstInside.SetResult();
                await release.Task;
                lock (order)
                {
                    order.Add("first done");
                }

                return 1;
            },
            _ => Task.CompletedTask,
            CancellationToken.None);
        await firstInside.Task.WaitAsync(Generous);
        var waiting = second.RunAsync(
            "same",
            () =>
            {
                lock (order)
                {
                    order.Add("second ran");
                }

                return Task.FromResult(2);
            },
            _ => Task.CompletedTask,
            CancellationToken.None);

        // The second must still be waiting in PostgreSQL: its lock query is visible as blocked on an advisory lock.
        await WaitForAdvisoryWaiterAsync(database);
        Assert.False(waiting.IsCompleted);
        release.SetResult();
        await Task.WhenAll(holding, waiting).WaitAsync(Generous);

        Assert.Equal(["first done", "second ran"], order);
    }

    [Fact]
    public async Task RunAsync_LockConnectionKilledDuringBody_UndoesAndThrows()
    {
        var database = await server.CreateDatabaseAsync();
        using var gate = new PostgresAdvisoryLock(database);
        var undone = new List<string>();

        var error = await Assert.ThrowsAsync<PostgresAdvisoryLockLostException>(() => gate.RunAsync(
            "doomed",
            async () =>
            {
                // What an operator's pg_terminate_backend or a network cut does to the lock's connection.
                await using var admin = new NpgsqlConnection(database + ";Pooling=false");
                await admin.OpenAsync();
                var killed = await admin.ExecuteScalarAsync<long>(
                    "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend') t");
                Assert.Equal(1, killed);
                return "written";
            },
            written =>
            {
                undone.Add(written);
                return Task.CompletedTask;
            },
            CancellationToken.None).WaitAsync(Generous));

        Assert.Equal(["written"], undone);
        Assert.Contains("doomed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_SameName_SameKeyInEveryProcess()
    {
        Assert.Equal(PostgresAdvisoryLock.Key("opensma/proxy-sessions/abc"), PostgresAdvisoryLock.Key("opensma/proxy-sessions/abc"));
        Assert.NotEqual(PostgresAdvisoryLock.Key("opensma/proxy-sessions/abc"), PostgresAdvisoryLock.Key("opensma/proxy-sessions/abd"));
    }

    private static async Task WaitForAdvisoryWaiterAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database + ";Pooling=false");
        await connection.OpenAsync();
        using var timeout = new CancellationTokenSource(Generous);
        while (await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") == 0)
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var previous = Interlocked.CompareExchange(ref target, value, current);
            if (previous == current)
            {
                return;
            }

            current = previous;
        }
    }
}
