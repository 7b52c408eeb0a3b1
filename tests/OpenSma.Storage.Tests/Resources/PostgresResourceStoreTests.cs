using Dapper;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using OpenSma.Storage.Resources;
using OpenSma.Testing;

namespace OpenSma.Storage.Tests.Resources;

/// <summary>The same contract as SQLite, against a real PostgreSQL server the fixture starts.</summary>
public sealed class PostgresResourceStoreTests(PostgresServer server) : ResourceStoreContractTests, IClassFixture<PostgresServer>, IDisposable
{
    private readonly List<IResourceStore> _stores = [];
    private string? _connectionString;

    protected override async Task<IResourceStore> CreateStoreAsync()
    {
        _connectionString ??= await server.CreateDatabaseAsync();
        var store = await ResourceStoreFactory.OpenAsync(ResourceStoreOptions.ForPostgreSql(_connectionString), new FakeTimeProvider(T0), CancellationToken.None);
        _stores.Add(store);
        return store;
    }

    [Fact]
    public async Task OpenAsync_Reopened_KeepsDataAndAppliesMigrationsOnce()
    {
        var first = await CreateStoreAsync();
        await first.InsertAsync(Sma("a", "kept"), CancellationToken.None);
        ((IDisposable)first).Dispose();

        var second = await CreateStoreAsync();

        Assert.Equal("kept", (await second.GetAsync<SipMediaApplication>("a", CancellationToken.None))!.Value.Name);
        await using var connection = new NpgsqlConnection(_connectionString);
        Assert.Equal([1L], await connection.QueryAsync<long>("SELECT version FROM schema_migrations"));
    }

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            ((IDisposable)store).Dispose();
        }
    }
}
