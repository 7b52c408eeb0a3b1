using Microsoft.Extensions.DependencyInjection;
using OpenSma.Host.Cli;
using OpenSma.Host.Numbers;
using OpenSma.Storage.Resources;

namespace OpenSma.Host.Tests.Numbers;

/// <summary>
/// Caller-ID ownership as serve wires it: the in-memory set follows every phone-number write made
/// through serve's store (a real SQLite store behind the read cache), and numbers stored before
/// start-up are known before the first call.
/// </summary>
public sealed class OwnedNumbersTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
    private readonly string _dataDir = Directory.CreateTempSubdirectory("opensma-owned-test-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Contains_FollowsOrderAssignDeletionAndPurge_ThroughTheWatchingStore()
    {
        var inner = new CachedResourceStore(await ResourceStoreFactory.OpenAsync(ResourceStoreOptions.ForSqlite(_dataDir), TimeProvider.System, CancellationToken.None));
        var owned = new OwnedNumbers(inner);
        await using var store = new NumberWatchingStore(inner, owned, ownsInner: true);
        const string number = "+12065550123";

        Assert.True((await store.InsertAsync(Number(number, "AcquireInProgress"), CancellationToken.None)).IsOk);
        Assert.False(owned.Contains(number));   // ordered, not yet acquired

        var acquired = await store.UpdateAsync(Number(number, "Unassigned"), 1, CancellationToken.None);
        Assert.True(acquired.IsOk);
        Assert.True(owned.Contains(number));
        Assert.False(owned.Contains("+12065550124"));

        Assert.True((await store.UpdateAsync(Number(number, "Assigned"), acquired.Version, CancellationToken.None)).IsOk);
        Assert.True(owned.Contains(number));

        Assert.True((await store.UpdateAsync(Number(number, "DeleteInProgress") with { DeletionTimestamp = Now }, acquired.Version + 1, CancellationToken.None)).IsOk);
        Assert.False(owned.Contains(number));   // in the deletion queue: no longer usable as caller ID

        Assert.True((await store.UpdateAsync(Number(number, "Unassigned"), acquired.Version + 2, CancellationToken.None)).IsOk);
        Assert.True(owned.Contains(number));    // restored
        Assert.True((await store.DeleteAsync<PhoneNumber>(number, null, CancellationToken.None)).IsOk);
        Assert.False(owned.Contains(number));
    }

    [Fact]
    public async Task Contains_QuotaInsertThroughTheWatchingStore_IsOwnedAtOnce_AndWindowsAreCounted()
    {
        var inner = new CachedResourceStore(await ResourceStoreFactory.OpenAsync(ResourceStoreOptions.ForSqlite(_dataDir), TimeProvider.System, CancellationToken.None));
        var owned = new OwnedNumbers(inner);
        await using var store = new NumberWatchingStore(inner, owned, ownsInner: true);
        const string number = "+12065550123";

        var results = await store.InsertWithinQuotaAsync([Number(number, "Unassigned")], 5, _ => true, CancellationToken.None);
        var counts = new[] { await store.CountInWindowAsync("k", 1, CancellationToken.None), await store.CountInWindowAsync("k", 1, CancellationToken.None) };

        Assert.True(Assert.Single(results).IsOk);
        Assert.True(owned.Contains(number));
        Assert.Equal([1L, 2L], counts);
    }

    [Fact]
    public async Task Contains_WriteThatFails_LeavesTheSetAsStored()
    {
        var inner = new CachedResourceStore(await ResourceStoreFactory.OpenAsync(ResourceStoreOptions.ForSqlite(_dataDir), TimeProvider.System, CancellationToken.None));
        var owned = new OwnedNumbers(inner);
        await using var store = new NumberWatchingStore(inner, owned, ownsInner: true);
        await store.InsertAsync(Number("+12065550150", "Unassigned"), CancellationToken.None);

        var stale = await store.UpdateAsync(Number("+12065550150", "DeleteInProgress") with { DeletionTimestamp = Now }, expectedVersion: 7, CancellationToken.None);

        Assert.Equal(WriteStatus.VersionConflict, stale.Status);
        Assert.True(owned.Contains("+12065550150"));
    }

    [Fact]
    public async Task ServeBuild_NumbersStoredBeforeStart_OwnedAtOnceAndWritesThroughServicesSeen()
    {
        var before = await ResourceStoreFactory.OpenAsync(ResourceStoreOptions.ForSqlite(_dataDir), TimeProvider.System, CancellationToken.None);
        try
        {
            await before.InsertAsync(Number("+12065550170", "Assigned"), CancellationToken.None);
        }
        finally
        {
            (before as IDisposable)?.Dispose();
        }

        await using var app = ServeCommand.Build(_dataDir, "http://127.0.0.1:0", "127.0.0.1", sipPort: 0);
        var owned = app.Services.GetRequiredService<OwnedNumbers>();
        Assert.True(owned.Contains("+12065550170"));

        var store = app.Services.GetRequiredService<IResourceStore>();
        Assert.IsType<NumberWatchingStore>(store);
        await store.InsertAsync(Number("+12065550171", "Unassigned"), CancellationToken.None);
        Assert.True(owned.Contains("+12065550171"));
    }

    [Fact]
    public async Task Refresher_AWriteTheStoreSignalsFromElsewhere_IsOwnedAfterOneCheck_AndNoChangeReadsNothing()
    {
        // The SQL store's signal counts writes that never pass through serve's NumberWatchingStore:
        // with PostgreSQL, another server's (LISTEN/NOTIFY). Here one is made on the store directly.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Now);
        var sql = await ResourceStoreFactory.OpenAsync(ResourceStoreOptions.ForSqlite(_dataDir), TimeProvider.System, CancellationToken.None);
        var counting = new OpenSma.Testing.CountingResourceStore(sql);
        using var disposeSql = (IDisposable)sql;
        var owned = new OwnedNumbers(counting);
        using var refresher = new OwnedNumbersRefresher(owned, time);
        using var stop = new CancellationTokenSource();
        var loop = refresher.RunAsync(stop.Token);
        try
        {
            // Checks with nothing written read nothing.
            for (var i = 1; i <= 3; i++)
            {
                time.Advance(OwnedNumbersRefresher.CheckInterval);
                await EventuallyAsync(() => refresher.Checks >= i);
            }

            Assert.Equal(0, counting.Reads);

            const string number = "+12065550199";
            Assert.True((await sql.InsertAsync(Number(number, "Unassigned"), CancellationToken.None)).IsOk);
            Assert.False(owned.Contains(number));
            time.Advance(OwnedNumbersRefresher.CheckInterval);
            await EventuallyAsync(() => owned.Contains(number));
            Assert.True(time.GetUtcNow() - Now < OwnedNumbersRefresher.Interval);
        }
        finally
        {
            await stop.CancelAsync();
            await loop;
        }
    }

    private static async Task EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "it never happened");
            await Task.Delay(10);
        }
    }

    private static PhoneNumber Number(string e164, string status) =>
        new(e164, e164, "US", "Local", "SipMediaApplicationDialIn", status, [], null, null, null, "order-1", Now, Now, null);
}
