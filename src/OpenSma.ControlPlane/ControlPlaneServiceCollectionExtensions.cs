using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenSma.ControlPlane.Auth;
using OpenSma.ControlPlane.Endpoints;
using OpenSma.ControlPlane.Http;
using OpenSma.ControlPlane.PhoneNumbers;
using OpenSma.ControlPlane.Proxy;
using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane;

public static class ControlPlaneServiceCollectionExtensions
{
    /// <summary>
    /// Registers what the Chime SDK Voice API needs. The host must also register the engine's
    /// <see cref="OpenSma.Engine.Control.ICallControl"/>. When no <see cref="IResourceStore"/> is
    /// registered, the store named by <see cref="ControlPlaneOptions.Store"/> is opened (behind a read cache
    /// when <see cref="ControlPlaneOptions.CacheReads"/> allows).
    /// </summary>
    public static IServiceCollection AddOpenSmaControlPlane(this IServiceCollection services, ControlPlaneOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IResourceStore>(sp =>
        {
            var storeOptions = options.Store
                ?? throw new InvalidOperationException("Register an IResourceStore or set ControlPlaneOptions.Store.");
            // Opening runs migrations once at startup; the container's factories are synchronous.
            var store = ResourceStoreFactory.OpenAsync(storeOptions, sp.GetRequiredService<TimeProvider>(), CancellationToken.None)
                .GetAwaiter().GetResult();
            var cache = options.CacheReads ?? string.Equals(storeOptions.Provider, ResourceStoreOptions.Sqlite, StringComparison.OrdinalIgnoreCase);
            return cache ? new CachedResourceStore(store) : store;
        });
        services.AddSingleton<ApiContext>();
        services.AddSingleton<CallRateLimiter>();
        services.AddSingleton<PhoneNumberInventory>();
        services.AddSingleton(sp => new ProxySessionLedger(
            sp.GetRequiredService<IResourceStore>(),
            sp.GetRequiredService<TimeProvider>(),
            SharedLock(options.Store)));
        services.AddSingleton<SigV4Filter>();
        services.AddSingleton<AwsErrorFilter>();
        return services;
    }

    /// <summary>Servers sharing a PostgreSQL database serialise allocations through it; a SQLite file has one server.</summary>
    private static PostgresAdvisoryLock? SharedLock(ResourceStoreOptions? store) =>
        store is { ConnectionString: { Length: > 0 } connectionString }
        && (string.Equals(store.Provider, ResourceStoreOptions.PostgreSql, StringComparison.OrdinalIgnoreCase)
            || string.Equals(store.Provider, "postgres", StringComparison.OrdinalIgnoreCase))
            ? new PostgresAdvisoryLock(connectionString)
            : null;
}
