using Microsoft.Extensions.Time.Testing;
using Npgsql;
using OpenSma.Storage.Resources;
using OpenSma.Storage.Resources.Sql;
using OpenSma.Testing;

namespace OpenSma.Storage.Tests.Resources;

/// <summary>
/// Two stores on one PostgreSQL database stand for two serve processes: a write through one reaches
/// the other's change signal (and so its caches) through LISTEN/NOTIFY, at once rather than after a
/// freshness window; a lost listening connection reconnects and counts every kind as changed.
/// Waits are for events, with generous patience; nothing is timed.
/// </summary>
public sealed class PostgresChangeFeedTests(PostgresServer server) : IClassFixture<PostgresServer>, IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 3, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly List<IResourceStore> _stores = [];
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await server.CreateDatabaseAsync();

    public Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            ((IDisposable)store).Dispose();
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task WriteThroughOneStore_SignalsTheOther_OfThatKindOnly_AndNotItselfTwice()
    {
        var (mine, myFeed) = await OpenListeningAsync();
        var (theirs, _) = await OpenListeningAsync();
        var mySignal = (IResourceChangeSignal)mine;
        var theirSignal = (IResourceChangeSignal)theirs;
        var (rulesBefore, smasBefore, myRulesBefore) = (theirSignal.ChangeVersion(SipRule.Kind), theirSignal.ChangeVersion(SipMediaApplication.Kind), mySignal.ChangeVersion(SipRule.Kind));
        var heardBefore = myFeed.NotificationsReceived;

        await mine.InsertAsync(Rule("r1", "+15551230000"), CancellationToken.None);

        await EventuallyAsync(() => theirSignal.ChangeVersion(SipRule.Kind) > rulesBefore, "the other store never heard of the rule");
        Assert.Equal(rulesBefore + 1, theirSignal.ChangeVersion(SipRule.Kind));
        Assert.Equal(smasBefore, theirSignal.ChangeVersion(SipMediaApplication.Kind));
        // The writer hears its own notification too and ignores it: it counted the write when it returned.
        await EventuallyAsync(() => myFeed.NotificationsReceived > heardBefore, "the writer never heard its own notification");
        Assert.Equal(myRulesBefore + 1, mySignal.ChangeVersion(SipRule.Kind));
    }

    [Fact]
    public async Task CacheOverTheOtherStore_DropsWhatItHeld_WithoutWaitingForItsWindow()
    {
        var (mine, _) = await OpenListeningAsync();
        var (theirs, _) = await OpenListeningAsync();
        // The route cache of the other process: a one-hour window on a clock that never moves, so
        // only the signal can make the new rule visible.
        using var theirCache = new CachedResourceStore(theirs, freshness: TimeSpan.FromHours(1), time: new FakeTimeProvider(T0));
        var key = SipRule.TriggerKey("ToPhoneNumber", "+15551230001");
        Assert.Null(await theirCache.FindByKeyAsync<SipRule>(key, CancellationToken.None));

        await mine.InsertAsync(Rule("r2", "+15551230001"), CancellationToken.None);

        await EventuallyAsync(async () => await theirCache.FindByKeyAsync<SipRule>(key, CancellationToken.None) is not null, "the other store's cache kept the rule's absence");
        var stored = (await theirs.GetAsync<SipRule>("r2", CancellationToken.None))!;
        await mine.UpdateAsync(Rule("r2", "+15551230001") with { Disabled = true }, stored.Version, CancellationToken.None);
        await EventuallyAsync(async () => (await theirCache.FindByKeyAsync<SipRule>(key, CancellationToken.None))?.Value.Disabled == true, "the other store's cache kept the enabled rule");
        await mine.DeleteAsync<SipRule>("r2", null, CancellationToken.None);
        await EventuallyAsync(async () => await theirCache.FindByKeyAsync<SipRule>(key, CancellationToken.None) is null, "the other store's cache kept the deleted rule");
    }

    [Fact]
    public async Task ListeningConnectionLost_Reconnects_CountsEveryKindAsChanged_AndHearsWritesAgain()
    {
        var (mine, _) = await OpenListeningAsync();
        var (theirs, theirFeed) = await OpenListeningAsync();
        var theirSignal = (IResourceChangeSignal)theirs;
        var smasBefore = theirSignal.ChangeVersion(SipMediaApplication.Kind);
        var connects = theirFeed.Connects;

        await TerminateListenersAsync();

        await EventuallyAsync(() => theirFeed.Connects > connects && theirFeed.IsListening, "the feed never reconnected");
        // A notification sent while it was down is lost for good, so the reconnect itself counts as a change.
        var afterReconnect = theirSignal.ChangeVersion(SipMediaApplication.Kind);
        Assert.True(afterReconnect > smasBefore, "the reconnect did not count as a change");

        await mine.InsertAsync(Sma("a"), CancellationToken.None);
        await EventuallyAsync(() => theirSignal.ChangeVersion(SipMediaApplication.Kind) > afterReconnect, "no notification after the reconnect");
    }

    [Fact]
    public async Task FailedWrite_IsNotAnnounced()
    {
        var (mine, _) = await OpenListeningAsync();
        var (theirs, theirFeed) = await OpenListeningAsync();
        await mine.InsertAsync(Sma("b"), CancellationToken.None);
        await EventuallyAsync(() => theirFeed.NotificationsReceived >= 1, "the first insert was not heard");
        var heard = theirFeed.NotificationsReceived;

        // A conflict and a delete of nothing change no row: no notification. A real write of another
        // kind afterwards is heard, and it is the only one: notifications arrive in the order they
        // were sent, so once the rule's has arrived any for the failed writes would have too.
        var rules = ((IResourceChangeSignal)theirs).ChangeVersion(SipRule.Kind);
        Assert.Equal(WriteStatus.Conflict, (await mine.InsertAsync(Sma("b"), CancellationToken.None)).Status);
        Assert.Equal(WriteStatus.NotFound, (await mine.DeleteAsync<SipMediaApplication>("nobody", null, CancellationToken.None)).Status);
        await mine.InsertAsync(Rule("r3", "+15551230003"), CancellationToken.None);

        await EventuallyAsync(() => ((IResourceChangeSignal)theirs).ChangeVersion(SipRule.Kind) > rules, "the rule insert was not heard");
        Assert.Equal(heard + 1, theirFeed.NotificationsReceived);
        Assert.Null(theirFeed.LastError);
    }

    [Fact]
    public async Task ServerUnreachable_KeepsRetrying_AndSaysWhy()
    {
        var counters = new ResourceChangeCounters();
        using var feed = new PostgresChangeFeed($"Host=127.0.0.1;Port={FreePorts.Tcp()};Username=opensma;Database=none;Timeout=5");

        feed.Start(counters);

        await EventuallyAsync(() => feed.LastError is not null, "no error was recorded");
        Assert.False(feed.IsListening);
        Assert.Equal(0, feed.Connects);
        Assert.Equal(0, counters.Version(SipRule.Kind));
        Assert.False(feed.WhenListeningAsync(CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task Sqlite_HasNoFeed()
    {
        var directory = Directory.CreateTempSubdirectory("opensma-feed-sqlite-");
        try
        {
            var store = await ResourceStoreFactory.OpenAsync(ResourceStoreOptions.ForSqlite(directory.FullName), TimeProvider.System, CancellationToken.None);
            _stores.Add(store);

            Assert.Null(Assert.IsAssignableFrom<IResourceChangeFeedSource>(store).ChangeFeed);
        }
        finally
        {
            ((IDisposable)_stores[^1]).Dispose();
            _stores.RemoveAt(_stores.Count - 1);
            directory.Delete(recursive: true);
        }
    }

    private async Task<(IResourceStore Store, PostgresChangeFeed Feed)> OpenListeningAsync()
    {
        var store = await ResourceStoreFactory.OpenAsync(ResourceStoreOptions.ForPostgreSql(_connectionString), new FakeTimeProvider(T0), CancellationToken.None);
        _stores.Add(store);
        var feed = Assert.IsType<PostgresChangeFeed>(Assert.IsAssignableFrom<IResourceChangeFeedSource>(store).ChangeFeed);
        await feed.WhenListeningAsync(CancellationToken.None).WaitAsync(Patience);
        return (store, feed);
    }

    private async Task TerminateListenersAsync()
    {
        var database = new NpgsqlConnectionStringBuilder(_connectionString).Database;
        await using var connection = new NpgsqlConnection(server.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = @app AND datname = @db", connection);
        command.Parameters.AddWithValue("app", PostgresChangeFeed.ApplicationName);
        command.Parameters.AddWithValue("db", database!);
        Assert.Equal(2L, await command.ExecuteScalarAsync());
    }

    private static Task EventuallyAsync(Func<bool> condition, string what) => EventuallyAsync(() => Task.FromResult(condition()), what);

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, what);
            await Task.Delay(20);
        }
    }

    private static SipRule Rule(string id, string number) =>
        new(id, "rule " + id, false, "ToPhoneNumber", number, [new SipRuleTarget("a", 1, "us-east-1")], T0, T0);

    private static SipMediaApplication Sma(string id) =>
        new(id, "123456789012", "us-east-1", "sma " + id, "arn:aws:lambda:us-east-1:123456789012:function:h", T0, T0);
}
