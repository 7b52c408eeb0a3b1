using OpenSma.Functions.Hosting;
using OpenSma.Functions.Registry;

namespace OpenSma.Functions.Runtimes;

/// <summary>The Lambda runtime identifiers OpenSMA runs, and how each one starts.</summary>
internal static class RuntimeCatalog
{
    private static readonly string[] Node = ["nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x"];
    private static readonly string[] Python = ["python3.9", "python3.10", "python3.11", "python3.12", "python3.13"];
    private static readonly string[] Provided = ["provided", "provided.al2", "provided.al2023"];
    private static readonly string[] Dotnet = ["dotnet8", "dotnet9", "dotnet10"];

    public static IEnumerable<string> Names => Node.Concat(Python).Concat(Provided).Concat(Dotnet);

    public static bool IsKnown(string runtime) => Names.Contains(runtime, StringComparer.Ordinal);

    /// <summary>The family name Lambda uses in AWS_EXECUTION_ENV (<c>AWS_Lambda_nodejs20.x</c>).</summary>
    public static string ExecutionEnvironment(string runtime) => "AWS_Lambda_" + runtime;

    public static RuntimeLaunch CreateLaunch(RegisteredFunction function, BootstrapFiles files, FunctionsOptions options)
    {
        var runtime = function.Definition.Runtime;
        if (Node.Contains(runtime, StringComparer.Ordinal))
            return new RuntimeLaunch(options.NodeExecutable, [files.NodeBootstrap], WritesLogMarkers: true);
        if (Python.Contains(runtime, StringComparer.Ordinal))
            return new RuntimeLaunch(options.PythonExecutable, ["-u", files.PythonBootstrap], WritesLogMarkers: true);
        if (Dotnet.Contains(runtime, StringComparer.Ordinal))
        {
            // Handlers built for an older .NET run on the newest runtime here (the runtimeconfig rolls forward).
            return new RuntimeLaunch(options.DotnetExecutable,
                ["exec", "--runtimeconfig", files.DotnetRuntimeConfig, BootstrapFiles.DotnetBootstrap], WritesLogMarkers: true);
        }
        if (Provided.Contains(runtime, StringComparer.Ordinal))
            return new RuntimeLaunch(Path.Combine(function.CodeRoot, "bootstrap"), [], WritesLogMarkers: false);
        throw new FunctionConfigurationException($"Runtime '{runtime}' is not supported.");
    }
}
