using Microsoft.Extensions.Configuration;
using OpenSma.Engine.Invocation;
using OpenSma.Functions.Hosting;
using OpenSma.Functions.Invocation;

namespace OpenSma.Host.Cli;

/// <summary>
/// Local Lambda functions for <c>opensma call</c>: the <c>Functions</c> section of the
/// configuration file (<c>--config</c>, default <c>opensma.json</c> when present) registers them, so
/// an SMA endpoint <c>arn:aws:lambda:REGION:ACCOUNT:function:NAME</c> runs that handler locally.
/// </summary>
internal sealed class FunctionsWiring : IAsyncDisposable
{
    private readonly FunctionHost? _host;

    private FunctionsWiring(FunctionHost? host, IReadOnlyList<IHandlerEndpointResolver> resolvers)
    {
        _host = host;
        Resolvers = resolvers;
    }

    public IReadOnlyList<IHandlerEndpointResolver> Resolvers { get; }

    public static FunctionsWiring Create(string? configPath, string dataDirectory)
    {
        var path = configPath ?? "opensma.json";
        if (!File.Exists(path))
        {
            return configPath is null
                ? new FunctionsWiring(null, [])
                : throw new Calls.CallScriptException($"--config: the file '{configPath}' does not exist.");
        }

        var configuration = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(path), optional: false).Build();
        var options = new FunctionsOptions { WorkDirectory = Path.Combine(Path.GetFullPath(dataDirectory), "functions") };
        FunctionsOptions.Bind(configuration.GetSection("Functions"), options);
        var host = new FunctionHost(options, TimeProvider.System);
        return new FunctionsWiring(host, [new FunctionEndpointResolver(host, remote: null)]);
    }

    public ValueTask DisposeAsync() => _host?.DisposeAsync() ?? ValueTask.CompletedTask;
}
