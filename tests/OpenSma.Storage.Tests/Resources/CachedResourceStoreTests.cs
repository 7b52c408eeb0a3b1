using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Storage.Resources;

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
        var counting = new CountingStore(await OpenSqliteAsync());
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
        var counting = new CountingStore(await OpenSqliteAsync());
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
        var gated = new GatedStore(await OpenSqliteAsync());
        var cache = new CachedResourceStore(gated);
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
    public async Task Entries_BeyondTheBound_AreDroppedAndReadAgain()
    {
        var counting = new CountingStore(await OpenSqliteAsync());
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

    /// <summary>Counts the reads that reach the real store.</summary>
    private class CountingStore(IResourceStore inner) : IResourceStore
    {
        public int Reads;

        public IResourceStore Inner { get; } = inner;

        public virtual ValueTask<Stored<T>?> GetAsync<T>(string id, CancellationToken cancellationToken)
            where T : class, IResourceDocument<T>
        {
            Interlocked.Increment(ref Reads);
            return Inner.GetAsync<T>(id, cancellationToken);
        }

        public ValueTask<Stored<T>?> FindByKeyAsync<T>(string uniqueKey, CancellationToken cancellationToken)
            where T : class, IResourceDocument<T>
        {
            Interlocked.Increment(ref Reads);
            return Inner.FindByKeyAsync<T>(uniqueKey, cancellationToken);
        }

        public ValueTask<IReadOnlyList<Stored<T>>> ListAsync<T>(long afterSequence, int limit, CancellationToken cancellationToken)
            where T : class, IResourceDocument<T>
        {
            Interlocked.Increment(ref Reads);
            return Inner.ListAsync<T>(afterSequence, limit, cancellationToken);
        }

        public ValueTask<WriteResult> InsertAsync<T>(T document, CancellationToken cancellationToken)
            where T : class, IResourceDocument<T> => Inner.InsertAsync(document, cancellationToken);

        public ValueTask<WriteResult> UpdateAsync<T>(T document, long expectedVersion, CancellationToken cancellationToken)
            where T : class, IResourceDocument<T> => Inner.UpdateAsync(document, expectedVersion, cancellationToken);

        public ValueTask<WriteResult> DeleteAsync<T>(string id, long? expectedVersion, CancellationToken cancellationToken)
            where T : class, IResourceDocument<T> => Inner.DeleteAsync<T>(id, expectedVersion, cancellationToken);

        public ValueTask<IReadOnlyList<ResourceTag>> GetTagsAsync(string resourceArn, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Reads);
            return Inner.GetTagsAsync(resourceArn, cancellationToken);
        }

        public ValueTask PutTagsAsync(string resourceArn, IReadOnlyList<ResourceTag> tags, CancellationToken cancellationToken) =>
            Inner.PutTagsAsync(resourceArn, tags, cancellationToken);

        public ValueTask RemoveTagsAsync(string resourceArn, IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
            Inner.RemoveTagsAsync(resourceArn, keys, cancellationToken);

        public ValueTask<string?> GetSettingAsync(string name, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Reads);
            return Inner.GetSettingAsync(name, cancellationToken);
        }

        public ValueTask PutSettingAsync(string name, string value, CancellationToken cancellationToken) =>
            Inner.PutSettingAsync(name, value, cancellationToken);
    }

    /// <summary>Can hold one GetAsync after it has read the row, until released.</summary>
    private sealed class GatedStore(IResourceStore inner) : CountingStore(inner)
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _hold;

        public Task GetStarted => _started.Task;

        public void HoldNextGet() => Volatile.Write(ref _hold, 1);

        public void Release() => _release.SetResult();

        public override async ValueTask<Stored<T>?> GetAsync<T>(string id, CancellationToken cancellationToken)
        {
            var value = await Inner.GetAsync<T>(id, cancellationToken);
            if (Interlocked.Exchange(ref _hold, 0) == 1)
            {
                _started.SetResult();
                await _release.Task;
            }

            return value;
        }
    }
}
