using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Storage.Resources;
using OpenSma.Testing;

namespace OpenSma.Storage.Tests.Resources;

/// <summary>
/// The change signal of the SQL store, and a cache that bounds the age of what it keeps: writes
/// through the shared store instance are seen at once, writes by another process (a second store
/// on the same database file) once the window has passed.
/// </summary>
public sealed class CachedResourceStoreFreshnessTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 3, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "opensma-fresh-" + Guid.NewGuid().ToString("N"));
    private readonly List<IResourceStore> _stores = [];
    private readonly FakeTimeProvider _time = new(T0);

    [Fact]
    public async Task SqlStore_ChangeVersion_GrowsOnEveryWriteOfThatKindOnly()
    {
        var store = await OpenSqliteAsync();
        var signal = Assert.IsAssignableFrom<IResourceChangeSignal>(store);
        var smas = signal.ChangeVersion(SipMediaApplication.Kind);
        var rules = signal.ChangeVersion(SipRule.Kind);

        await store.InsertAsync(Sma("a", "one"), CancellationToken.None);
        await store.UpdateAsync(Sma("a", "two"), 1, CancellationToken.None);
        // A write that changes nothing still counts: a reader only needs to know something may have changed.
        await store.DeleteAsync<SipMediaApplication>("nobody", null, CancellationToken.None);
        await store.DeleteAsync<SipMediaApplication>("a", null, CancellationToken.None);

        Assert.Equal(smas + 4, signal.ChangeVersion(SipMediaApplication.Kind));
        Assert.Equal(rules, signal.ChangeVersion(SipRule.Kind));
    }

    [Fact]
    public async Task Cache_OverASignallingStore_SeesWritesMadeBesideIt_AtOnce()
    {
        var shared = await OpenSqliteAsync();
        var counting = new CountingResourceStore(shared);
        var cache = new CachedResourceStore(counting, freshness: TimeSpan.FromSeconds(1), time: _time);
        await shared.InsertAsync(Sma("a", "one"), CancellationToken.None);

        Assert.Equal("one", (await cache.GetAsync<SipMediaApplication>("a", CancellationToken.None))!.Value.Name);
        Assert.Equal("one", (await cache.GetAsync<SipMediaApplication>("a", CancellationToken.None))!.Value.Name);
        Assert.Equal(1, counting.Reads);

        // Written through the shared instance, not through the cache (as the control plane writes while the router reads).
        await shared.UpdateAsync(Sma("a", "two"), 1, CancellationToken.None);

        Assert.Equal("two", (await cache.GetAsync<SipMediaApplication>("a", CancellationToken.None))!.Value.Name);
        Assert.Equal(2, counting.Reads);
    }

    [Fact]
    public async Task Cache_WriteByAnotherProcess_IsSeenOnceTheWindowHasPassed()
    {
        var mine = await OpenSqliteAsync();
        var theirs = await OpenSqliteAsync();
        var counting = new CountingResourceStore(mine);
        var cache = new CachedResourceStore(counting, freshness: TimeSpan.FromSeconds(1), time: _time);
        await mine.InsertAsync(Sma("a", "one"), CancellationToken.None);
        Assert.Null(await cache.FindByKeyAsync<SipRule>(SipRule.TriggerKey("ToPhoneNumber", "+15550001111"), CancellationToken.None));
        Assert.Equal("one", (await cache.GetAsync<SipMediaApplication>("a", CancellationToken.None))!.Value.Name);

        // Another server on the same database: this process's signal does not move.
        await theirs.UpdateAsync(Sma("a", "two"), 1, CancellationToken.None);
        await theirs.InsertAsync(new SipRule("r1", "rule", false, "ToPhoneNumber", "+15550001111", [new SipRuleTarget("a", 1, "us-east-1")], T0, T0), CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(999));

        Assert.Equal("one", (await cache.GetAsync<SipMediaApplication>("a", CancellationToken.None))!.Value.Name);
        Assert.Null(await cache.FindByKeyAsync<SipRule>(SipRule.TriggerKey("ToPhoneNumber", "+15550001111"), CancellationToken.None));
        Assert.Equal(2, counting.Reads);

        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal("two", (await cache.GetAsync<SipMediaApplication>("a", CancellationToken.None))!.Value.Name);
        Assert.Equal("r1", (await cache.FindByKeyAsync<SipRule>(SipRule.TriggerKey("ToPhoneNumber", "+15550001111"), CancellationToken.None))!.Value.Id);
        Assert.Equal(4, counting.Reads);
    }

    [Fact]
    public async Task Cache_WithoutAWindow_KeepsUntilAWrite_AndZeroTurnsItOff()
    {
        var store = await OpenSqliteAsync();
        await store.InsertAsync(Sma("a", "one"), CancellationToken.None);
        var unbounded = new CountingResourceStore(store);
        var off = new CountingResourceStore(store);
        var keeps = new CachedResourceStore(unbounded, time: _time);
        var never = new CachedResourceStore(off, freshness: TimeSpan.Zero, time: _time);

        for (var i = 0; i < 3; i++)
        {
            await keeps.GetAsync<SipMediaApplication>("a", CancellationToken.None);
            await never.GetAsync<SipMediaApplication>("a", CancellationToken.None);
            _time.Advance(TimeSpan.FromHours(1));
        }

        Assert.Equal(1, unbounded.Reads);
        Assert.Equal(3, off.Reads);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CachedResourceStore(store, freshness: TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task CacheOverACache_SeesWritesThroughTheInnerCache()
    {
        // serve on SQLite: the control plane writes through its CachedResourceStore, the router reads through its own cache over it.
        var controlPlane = new CachedResourceStore(await OpenSqliteAsync());
        var router = new CachedResourceStore(controlPlane, freshness: TimeSpan.FromSeconds(1), time: _time);
        await controlPlane.InsertAsync(Sma("a", "one"), CancellationToken.None);
        Assert.Equal("one", (await router.GetAsync<SipMediaApplication>("a", CancellationToken.None))!.Value.Name);

        await controlPlane.UpdateAsync(Sma("a", "two"), 1, CancellationToken.None);

        Assert.Equal("two", (await router.GetAsync<SipMediaApplication>("a", CancellationToken.None))!.Value.Name);
    }

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            ((IDisposable)store).Dispose();
        }

        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static SipMediaApplication Sma(string id, string name) =>
        new(id, "123456789012", "us-east-1", name, "arn:aws:lambda:us-east-1:123456789012:function:h", T0, T0);

    private async Task<IResourceStore> OpenSqliteAsync()
    {
        var store = await ResourceStoreFactory.OpenAsync(ResourceStoreOptions.ForSqlite(_directory), _time, CancellationToken.None);
        _stores.Add(store);
        return store;
    }
}
