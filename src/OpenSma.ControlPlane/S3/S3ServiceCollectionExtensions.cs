using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenSma.Storage.Objects;

namespace OpenSma.ControlPlane.S3;

public static class S3ServiceCollectionExtensions
{
    /// <summary>
    /// Registers the configured object store (the <c>Storage</c> section: folder and S3 backends,
    /// bucket routing and SMA access rules) as <see cref="IObjectStore"/>, and as <see cref="RoutedObjectStore"/>.
    /// </summary>
    public static IServiceCollection AddOpenSmaStorage(this IServiceCollection services, IConfiguration? storageSection, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(services);
        var store = ObjectStoreFactory.Create(StorageConfiguration.Read(storageSection), dataDirectory);
        services.AddSingleton(store);
        services.AddSingleton<IObjectStore>(store);
        return services;
    }

    /// <summary>Registers the S3-compatible endpoint over the registered <see cref="IObjectStore"/>;
    /// add it to the pipeline with <see cref="UseOpenSmaS3"/>.</summary>
    public static IServiceCollection AddOpenSmaS3(this IServiceCollection services, S3ApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<S3Authenticator>();
        services.AddSingleton<BucketOperations>();
        services.AddSingleton<ObjectOperations>();
        services.AddSingleton<ListObjectsOperation>();
        return services;
    }

    /// <summary>Serves S3 requests on the application's address; other requests go on to the Chime
    /// and Lambda endpoints. Call before mapping those endpoints' fallbacks, if any.</summary>
    public static IApplicationBuilder UseOpenSmaS3(this IApplicationBuilder app) => app.UseMiddleware<S3Middleware>();
}
