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
        Assert.Equal([1L, 2L], await connection.QueryAsync<long>("SELECT version FROM schema_migrations ORDER BY version"));
    }

    [Fact]
    public async Task OpenAsync_SeveralServersAtOnceOnAFreshDatabase_EachMigrationAppliedOnce()
    {
        var database = await server.CreateDatabaseAsync();

        var opening = Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
            ResourceStoreFactory.OpenAsync(ResourceStoreOptions.ForPostgreSql(database), new FakeTimeProvider(T0), CancellationToken.None))).ToList();
        try
        {
            await Task.WhenAll(opening);
        }
        finally
        {
            foreach (var open in opening.Where(t => t.IsCompletedSuccessfully))
            {
                ((IDisposable)await open).Dispose();
            }
        }

        await using var connection = new NpgsqlConnection(database);
        Assert.Equal([1L, 2L], await connection.QueryAsync<long>("SELECT version FROM schema_migrations ORDER BY version"));
    }

    [Fact]
    public async Task InsertWithinQuotaAsync_AnotherServerInItsQuotaStep_WaitsAndCountsWhatThatServerCommitted()
    {
        var store = await CreateStoreAsync();
        var other = await CreateStoreAsync();
        // Stand in for another server midway through its own quota step: hold the kind's quota lock.
        await using var holder = new NpgsqlConnection(_connectionString);
        await holder.OpenAsync();
        await using var held = await holder.BeginTransactionAsync();
        await PostgresAdvisoryLock.AcquireAsync(holder, held, "opensma/quota/" + SipMediaApplication.Kind, CancellationToken.None);

        var waiting = store.InsertWithinQuotaAsync([Sma("late", "late")], 1, _ => true, CancellationToken.None).AsTask();
        while (!waiting.IsCompleted && await holder.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            transaction: held) == 0)
        {
            await Task.Delay(10);
        }

        var blocked = !waiting.IsCompleted;
        await other.InsertAsync(Sma("first", "first"), CancellationToken.None);
        await held.CommitAsync();
        var result = Assert.Single(await waiting);

        Assert.True(blocked, "the quota insert did not wait for the quota lock");
        Assert.Equal(WriteStatus.QuotaExceeded, result.Status);
        Assert.Null(await other.GetAsync<SipMediaApplication>("late", CancellationToken.None));
    }

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            ((IDisposable)store).Dispose();
        }
    }
}
