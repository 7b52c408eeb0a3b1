using System.Data.Common;
using System.Globalization;
using Dapper;

namespace OpenSma.Storage.Resources.Sql;

/// <summary>
/// Brings a database up to the newest schema, recording each migration in <c>schema_migrations</c>.
/// All of it is one exclusive transaction (<see cref="ISqlDialect.BeginExclusiveAsync"/>), so servers
/// starting at once on one PostgreSQL database migrate one after the other, and the later ones find
/// the work done; a failed migration leaves the schema as it was.
/// </summary>
internal static class SchemaMigrator
{
    private const string LockName = "opensma/schema-migrations";

    public static async Task MigrateAsync(DbConnection connection, ISqlDialect dialect, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var transaction = await dialect.BeginExclusiveAsync(connection, LockName, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)",
            transaction: transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        var applied = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT MAX(version) FROM schema_migrations",
            transaction: transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false) ?? 0;

        foreach (var migration in dialect.Migrations.Where(m => m.Version > applied).OrderBy(m => m.Version))
        {
            await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (version, description, applied_at) VALUES (@Version, @Description, @AppliedAt)",
                new
                {
                    migration.Version,
                    migration.Description,
                    AppliedAt = now.ToString("O", CultureInfo.InvariantCulture),
                },
                transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
