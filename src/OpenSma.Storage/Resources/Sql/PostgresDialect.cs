using System.Data.Common;
using Npgsql;

namespace OpenSma.Storage.Resources.Sql;

/// <summary>PostgreSQL for deployments that share one store between nodes; their writes reach each other through <see cref="PostgresChangeFeed"/>.</summary>
internal sealed class PostgresDialect : ISqlDialect, IDisposable
{
    private const string UniqueViolation = "23505";
    private readonly NpgsqlDataSource _dataSource;

    public PostgresDialect(string connectionString)
    {
        _dataSource = NpgsqlDataSource.Create(connectionString);
        ChangeFeed = new PostgresChangeFeed(connectionString);
    }

    public string Name => "postgresql";

    /// <summary>Writes announced with NOTIFY and other servers' writes heard with LISTEN.</summary>
    public PostgresChangeFeed ChangeFeed { get; }

    PostgresChangeFeed? ISqlDialect.ChangeFeed => ChangeFeed;

    public DbConnection CreateConnection() => _dataSource.CreateConnection();

    public ValueTask PrepareAsync(DbConnection connection, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public IReadOnlyList<SchemaMigration> Migrations { get; } =
    [
        new(1, "resources, tags, settings", """
            CREATE TABLE resources (
                seq BIGSERIAL PRIMARY KEY,
                kind TEXT NOT NULL,
                id TEXT NOT NULL,
                unique_key TEXT NULL,
                body TEXT NOT NULL,
                version BIGINT NOT NULL,
                UNIQUE (kind, id)
            );
            CREATE UNIQUE INDEX ix_resources_unique_key ON resources (kind, unique_key);
            CREATE TABLE tags (
                arn TEXT NOT NULL,
                tag_key TEXT NOT NULL,
                tag_value TEXT NOT NULL,
                PRIMARY KEY (arn, tag_key)
            );
            CREATE TABLE settings (
                name TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
            """),
        new(2, "rate_windows", """
            CREATE TABLE rate_windows (
                rate_key TEXT PRIMARY KEY,
                window_start BIGINT NOT NULL,
                event_count BIGINT NOT NULL
            );
            """),
    ];

    public bool IsUniqueViolation(DbException exception) =>
        exception is PostgresException { SqlState: UniqueViolation };

    /// <summary>A read-committed transaction holding the advisory lock called <paramref name="name"/>
    /// (<see cref="PostgresAdvisoryLock.AcquireAsync"/>) until it ends; every statement after the
    /// lock sees what the previous holder committed.</summary>
    public async ValueTask<DbTransaction> BeginExclusiveAsync(DbConnection connection, string name, CancellationToken cancellationToken)
    {
        var npgsql = (NpgsqlConnection)connection;
        var transaction = await npgsql.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await PostgresAdvisoryLock.AcquireAsync(npgsql, transaction, name, cancellationToken).ConfigureAwait(false);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public void Dispose()
    {
        ChangeFeed.Dispose();
        _dataSource.Dispose();
    }
}
