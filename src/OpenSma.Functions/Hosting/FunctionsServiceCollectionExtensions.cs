using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using OpenSma.Engine.Invocation;
using OpenSma.Functions.Invocation;
using OpenSma.Functions.Remote;

namespace OpenSma.Functions.Hosting;

public static class FunctionsServiceCollectionExtensions
{
    /// <summary>
    /// Registers local functions (<see cref="FunctionHost"/>), the Lambda ARN endpoint resolver for the
    /// engine (<see cref="IHandlerEndpointResolver"/>), and remote Lambda when <see cref="FunctionsOptions.Remote"/> is set.
    /// </summary>
    /// <summary>As <see cref="AddOpenSmaFunctions(IServiceCollection, Action{FunctionsOptions})"/>, with the options
    /// (and the function entries under <c>Functions</c>) read from a configuration section first.</summary>
    public static IServiceCollection AddOpenSmaFunctions(
        this IServiceCollection services, IConfiguration section, Action<FunctionsOptions>? configure = null) =>
        services.AddOpenSmaFunctions(o =>
        {
            FunctionsOptions.Bind(section, o);
            configure?.Invoke(o);
        });

    public static IServiceCollection AddOpenSmaFunctions(this IServiceCollection services, Action<FunctionsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new FunctionsOptions();
        configure?.Invoke(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(sp => new FunctionHost(options, sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger<FunctionHost>()));
        if (options.Remote is { } remote)
            services.AddSingleton(sp => new RemoteLambdaInvoker(new HttpClient { Timeout = remote.Timeout }, remote, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new FunctionEndpointResolver(
            sp.GetRequiredService<FunctionHost>(), sp.GetService<RemoteLambdaInvoker>()));
        services.AddSingleton<IHandlerEndpointResolver>(sp => sp.GetRequiredService<FunctionEndpointResolver>());
        return services;
    }
}
