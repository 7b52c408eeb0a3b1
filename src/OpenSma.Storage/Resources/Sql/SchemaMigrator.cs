using System.Data.Common;
using System.Globalization;
using Dapper;

namespace OpenSma.Storage.Resources.Sql;

/// <summary>Brings a database up to the newest schema, one recorded migration at a time.</summary>
internal static class SchemaMigrator
{
    public static async Task MigrateAsync(DbConnection connection, IReadOnlyList<SchemaMigration> migrations, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)",
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        var applied = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT MAX(version) FROM schema_migrations",
            cancellationToken: cancellationToken)).ConfigureAwait(false) ?? 0;

        foreach (var migration in migrations.Where(m => m.Version > applied).OrderBy(m => m.Version))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
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
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
