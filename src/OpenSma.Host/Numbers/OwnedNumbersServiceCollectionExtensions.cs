using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenSma.Storage.Resources;

namespace OpenSma.Host.Numbers;

internal static class OwnedNumbersServiceCollectionExtensions
{
    /// <summary>
    /// Puts <see cref="NumberWatchingStore"/> in front of the <see cref="IResourceStore"/> registered
    /// so far (call after the control plane has registered its store) and registers
    /// <see cref="OwnedNumbers"/> with its periodic refresh.
    /// </summary>
    public static IServiceCollection AddOwnedNumbers(this IServiceCollection services)
    {
        var original = services.LastOrDefault(d => d.ServiceType == typeof(IResourceStore))
            ?? throw new InvalidOperationException("Register the resource store before AddOwnedNumbers.");
        services.Remove(original);
        services.AddSingleton(sp => new OwnedNumbers(Resolve(original, sp), sp.GetService<ILogger<OwnedNumbers>>()));
        services.AddSingleton<IResourceStore>(sp =>
        {
            var owned = sp.GetRequiredService<OwnedNumbers>();
            return new NumberWatchingStore(owned.Store, owned, ownsInner: original.ImplementationInstance is null);
        });
        services.AddHostedService<OwnedNumbersRefresher>();
        return services;
    }

    private static IResourceStore Resolve(ServiceDescriptor descriptor, IServiceProvider services) =>
        (IResourceStore)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));
}
