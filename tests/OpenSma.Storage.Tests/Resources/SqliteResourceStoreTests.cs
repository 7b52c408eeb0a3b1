using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Storage.Resources;

namespace OpenSma.Storage.Tests.Resources;

public sealed class SqliteResourceStoreTests : ResourceStoreContractTests, IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "opensma-store-" + Guid.NewGuid().ToString("N"));
    private readonly List<IResourceStore> _stores = [];

    protected override async Task<IResourceStore> CreateStoreAsync()
    {
        var store = await ResourceStoreFactory.OpenAsync(ResourceStoreOptions.ForSqlite(_directory), new FakeTimeProvider(T0), CancellationToken.None);
        _stores.Add(store);
        return store;
    }

    [Fact]
    public async Task OpenAsync_Reopened_KeepsDataAndAppliesMigrationsOnce()
    {
        var first = await CreateStoreAsync();
        await first.InsertAsync(Sma("a", "kept"), CancellationToken.None);
        await first.PutTagsAsync("arn:a", [new ResourceTag("k", "v")], CancellationToken.None);
        ((IDisposable)first).Dispose();

        var second = await CreateStoreAsync();

        Assert.Equal("kept", (await second.GetAsync<SipMediaApplication>("a", CancellationToken.None))!.Value.Name);
        Assert.Single(await second.GetTagsAsync("arn:a", CancellationToken.None));
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, ResourceStoreOptions.SqliteFileName)}");
        Assert.Equal([1L, 2L], await connection.QueryAsync<long>("SELECT version FROM schema_migrations ORDER BY version"));
        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
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
}
