using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Storage.Resources;
using OpenSma.Testing;

namespace OpenSma.Storage.Tests.Resources;

/// <summary>The whole store contract through the cache (on SQLite), plus what the cache adds.</summary>
public sealed class CachedResourceStoreTests : ResourceStoreContractTests, IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "opensma-cache-" + Guid.NewGuid().ToString("N"));
    private readonly List<IResourceStore> _stores = [];

    protected override async Task<IResourceStore> CreateStoreAsync() => new CachedResourceStore(await OpenSqliteAsync());

    private async Task<IResourceStore> OpenSqliteAsync()
    {
        var store = await ResourceStoreFactory.OpenAsync(ResourceStoreOptions.ForSqlite(_directory), new FakeTimeProvider(T0), CancellationToken.None);
        _stores.Add(store);
        return store;
    }

    [Fact]
    public async Task GetAsync_Repeated_ReadsTheInnerStoreOnce()
    {
        var counting = new CountingResourceStore(await OpenSqliteAsync());
        var cache = new CachedResourceStore(counting);
        await cache.InsertAsync(Sma("a", "one"), CancellationToken.None);

        var first = await cache.GetAsync<SipMediaApplication>("a", CancellationToken.None);
        var second = await cache.GetAsync<SipMediaApplication>("a", CancellationToken.None);
        var page1 = await cache.ListAsync<SipMediaApplication>(0, 10, CancellationToken.None);
        var page2 = await cache.ListAsync<SipMediaApplication>(0, 10, CancellationToken.None);

        Assert.Same(first, second);
        Assert.Same(page1, page2);
        Assert.Equal(2, counting.Reads);
    }

    [Fact]
    public async Task Write_OfAKind_InvalidatesThatKindOnly()
    {
        var counting = new CountingResourceStore(await OpenSqliteAsync());
        var cache = new CachedResourceStore(counting);
        await cache.InsertAsync(Sma("a", "one"), CancellationToken.None);
        await cache.PutSettingAsync("s", "1", CancellationToken.None);
        await cache.GetAsync<SipMediaApplication>("a", CancellationToken.None);
        await cache.GetSettingAsync("s", CancellationToken.None);

        await cache.UpdateAsync(Sma("a", "two"), 1, CancellationToken.None);
        var sma = await cache.GetAsync<SipMediaApplication>("a", CancellationToken.None);
        var setting = await cache.GetSettingAsync("s", CancellationToken.None);
        await cache.PutTagsAsync("arn:a", [new ResourceTag("k", "v")], CancellationToken.None);
        var tags = await cache.GetTagsAsync("arn:a", CancellationToken.None);

        Assert.Equal("two", sma!.Value.Name);
        Assert.Equal(2, sma.Version);
        Assert.Equal("1", setting);
        Assert.Single(tags);
        // Reads: sma, setting, sma again after the update, tags; the setting stayed cached.
        Assert.Equal(4, counting.Reads);
    }

    [Fact]
    public async Task Read_RacingAWrite_IsNotServedAfterTheWrite()
    {
        var store = new CountingResourceStore(await OpenSqliteAsync());
        var gated = new ReadGate(store);
        var cache = new CachedResourceStore(store);
        await cache.InsertAsync(Sma("a", "old"), CancellationToken.None);

        // The read gets the old row, then the update commits before the read returns.
        gated.HoldNextGet();
        var racingRead = cache.GetAsync<SipMediaApplication>("a", CancellationToken.None).AsTask();
        await gated.GetStarted;
        await cache.UpdateAsync(Sma("a", "new"), 1, CancellationToken.None);
        gated.Release();
        var raced = await racingRead;
        var after = await cache.GetAsync<SipMediaApplication>("a", CancellationToken.None);

        Assert.Equal("old", raced!.Value.Name);
        Assert.Equal("new", after!.Value.Name);
    }

    [Fact]
    public async Task MissingDocument_CachedAsMissing_UntilInserted()
    {
        var cache = new CachedResourceStore(await OpenSqliteAsync());

        var before = await cache.GetAsync<SipMediaApplication>("late", CancellationToken.None);
        await cache.InsertAsync(Sma("late", "here"), CancellationToken.None);
        var after = await cache.GetAsync<SipMediaApplication>("late", CancellationToken.None);

        Assert.Null(before);
        Assert.Equal("here", after!.Value.Name);
    }

    [Fact]
    public async Task InsertWithinQuota_InvalidatesTheKind_ThroughThisCacheAndThroughTheInnerSignal()
    {
        // The writer's cache and another reader's cache over the same store (serve's SIP router reads through its own).
        var inner = await OpenSqliteAsync();
        var writer = new CachedResourceStore(inner);
        var reader = new CachedResourceStore(inner);
        var writerBefore = await writer.ListAllAsync<SipMediaApplication>(CancellationToken.None);
        var readerBefore = await reader.ListAllAsync<SipMediaApplication>(CancellationToken.None);
        var version = reader.ChangeVersion(SipMediaApplication.Kind);

        await writer.InsertWithinQuotaAsync([Sma("q", "quota")], 1, _ => true, CancellationToken.None);

        Assert.Empty(writerBefore);
        Assert.Empty(readerBefore);
        Assert.True(reader.ChangeVersion(SipMediaApplication.Kind) > version);
        Assert.Equal("q", Assert.Single(await writer.ListAllAsync<SipMediaApplication>(CancellationToken.None)).Value.Id);
        Assert.Equal("q", Assert.Single(await reader.ListAllAsync<SipMediaApplication>(CancellationToken.None)).Value.Id);
    }

    [Fact]
    public async Task Entries_BeyondTheBound_AreDroppedAndReadAgain()
    {
        var counting = new CountingResourceStore(await OpenSqliteAsync());
        var cache = new CachedResourceStore(counting, maxEntries: 2);

        foreach (var id in new[] { "a", "b", "c", "a" })
        {
            await cache.GetAsync<SipMediaApplication>(id, CancellationToken.None);
        }

        Assert.Equal(4, counting.Reads);
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

    /// <summary>Can hold one GetAsync of its store after it has read the row, until released.</summary>
    private sealed class ReadGate
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _hold;

        public ReadGate(CountingResourceStore store) => store.AfterGet = AfterGetAsync;

        public Task GetStarted => _started.Task;

        public void HoldNextGet() => Volatile.Write(ref _hold, 1);

        public void Release() => _release.SetResult();

        private Task AfterGetAsync()
        {
            if (Interlocked.Exchange(ref _hold, 0) != 1)
            {
                return Task.CompletedTask;
            }

            _started.SetResult();
            return _release.Task;
        }
    }
}
