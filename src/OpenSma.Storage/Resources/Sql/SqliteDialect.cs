using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace OpenSma.Storage.Resources.Sql;

/// <summary>The embedded default: one SQLite file in the data directory, in WAL mode.</summary>
internal sealed class SqliteDialect : ISqlDialect
{
    private const int SqliteConstraint = 19;
    private readonly string _connectionString;

    public SqliteDialect(string databasePath)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            // Writers wait for each other instead of failing with SQLITE_BUSY.
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Name => "sqlite";

    /// <summary>One process owns the file: no feed.</summary>
    public PostgresChangeFeed? ChangeFeed => null;

    public DbConnection CreateConnection() => new SqliteConnection(_connectionString);

    public async ValueTask PrepareAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
        // WAL is a property of the file, so setting it once is enough. SQLite's default
        // synchronous level (FULL) then syncs the log on every commit: an acknowledged write
        // survives a killed process and a power cut.
        command.CommandText = "PRAGMA journal_mode=WAL;";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public IReadOnlyList<SchemaMigration> Migrations { get; } =
    [
        new(1, "resources, tags, settings", """
            CREATE TABLE resources (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                kind TEXT NOT NULL,
                id TEXT NOT NULL,
                unique_key TEXT NULL,
                body TEXT NOT NULL,
                version INTEGER NOT NULL,
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
                window_start INTEGER NOT NULL,
                event_count INTEGER NOT NULL
            );
            """),
    ];

    public bool IsUniqueViolation(DbException exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteConstraint };

    /// <summary>BEGIN IMMEDIATE: the file's write lock is taken before the first read, so every other
    /// writer (whatever the name, in any process) waits until this transaction ends.</summary>
    public ValueTask<DbTransaction> BeginExclusiveAsync(DbConnection connection, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));
    }
}
