using OpenSma.Storage.Resources.Sql;

namespace OpenSma.Storage.Resources;

public static class ResourceStoreFactory
{
    /// <summary>Opens the configured store, creating and migrating its schema as needed.
    /// The returned store is also <see cref="IDisposable"/>.</summary>
    public static async Task<IResourceStore> OpenAsync(ResourceStoreOptions options, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ISqlDialect dialect;
        switch (options.Provider.ToUpperInvariant())
        {
            case "SQLITE":
                Directory.CreateDirectory(options.DataDirectory);
                dialect = new SqliteDialect(Path.Combine(options.DataDirectory, ResourceStoreOptions.SqliteFileName));
                break;
            case "POSTGRESQL":
            case "POSTGRES":
                if (string.IsNullOrWhiteSpace(options.ConnectionString))
                {
                    throw new ArgumentException("The postgresql store needs a connection string.", nameof(options));
                }

                dialect = new PostgresDialect(options.ConnectionString);
                break;
            default:
                throw new ArgumentException($"Unknown resource store provider '{options.Provider}' (use sqlite or postgresql).", nameof(options));
        }

        return await SqlResourceStore.OpenAsync(dialect, timeProvider, cancellationToken).ConfigureAwait(false);
    }
}
