using System.Data.Common;

namespace OpenSma.Storage.Resources.Sql;

/// <summary>What differs between the SQL engines: connections, DDL and how a duplicate key is reported.
/// Queries themselves are shared (<see cref="SqlResourceStore"/>).</summary>
internal interface ISqlDialect
{
    string Name { get; }

    DbConnection CreateConnection();

    /// <summary>Runs once when the store starts, before migrations.</summary>
    ValueTask PrepareAsync(DbConnection connection, CancellationToken cancellationToken);

    IReadOnlyList<SchemaMigration> Migrations { get; }

    bool IsUniqueViolation(DbException exception);

    /// <summary>
    /// Begins a transaction that no other transaction begun here with the same <paramref name="name"/>
    /// overlaps, in any process sharing the database, so it may count rows and then write them
    /// knowing the count still holds when it commits.
    /// </summary>
    ValueTask<DbTransaction> BeginExclusiveAsync(DbConnection connection, string name, CancellationToken cancellationToken);

    /// <summary>How writes by other processes sharing the database reach this one; null when only one process uses it (SQLite).</summary>
    PostgresChangeFeed? ChangeFeed { get; }
}

/// <param name="Version">Applied in ascending order; each is recorded in <c>schema_migrations</c>.</param>
internal sealed record SchemaMigration(int Version, string Description, string Sql);
