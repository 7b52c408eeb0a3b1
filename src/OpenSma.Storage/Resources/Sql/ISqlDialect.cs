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

    /// <summary>How writes by other processes sharing the database reach this one; null when only one process uses it (SQLite).</summary>
    PostgresChangeFeed? ChangeFeed { get; }
}

/// <param name="Version">Applied in ascending order; each is recorded in <c>schema_migrations</c>.</param>
internal sealed record SchemaMigration(int Version, string Description, string Sql);
