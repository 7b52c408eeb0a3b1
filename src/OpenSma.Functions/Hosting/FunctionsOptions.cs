using Microsoft.Extensions.Configuration;
using OpenSma.Functions.Registry;
using OpenSma.Functions.Remote;

namespace OpenSma.Functions.Hosting;

/// <summary>Settings for running functions; bound from the <c>Functions</c> configuration section.</summary>
public sealed class FunctionsOptions
{
    /// <summary>Region put in ARNs and in <c>AWS_REGION</c>.</summary>
    public string Region { get; set; } = "us-east-1";

    public string AccountId { get; set; } = "000000000000";

    /// <summary>Where OpenSMA's own APIs listen; handlers' AWS SDK endpoints point here.</summary>
    public Uri ServiceBaseUrl { get; set; } = new("http://127.0.0.1:8686");

    /// <summary>Extracted zip packages and runtime bootstrap files live here.</summary>
    public string WorkDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "opensma-functions");

    /// <summary>
    /// Save every function, version and alias under <see cref="WorkDirectory"/>/<c>state</c> before a
    /// change is acknowledged, and load them again at start-up (what <c>opensma serve</c> does). Off
    /// (false, or null: not set): the functions live in memory only. Null lets a host choose its own
    /// default while an explicit <c>Functions:Durable</c> setting still wins (<c>o.Durable ??= true</c>).
    /// </summary>
    public bool? Durable { get; set; }

    /// <summary>The folder <see cref="Durable"/> state is kept in.</summary>
    public string StateDirectory => Path.Combine(WorkDirectory, "state");

    /// <summary>Inject dummy AWS credentials so SDK clients sign requests to OpenSMA without real keys.</summary>
    public bool DevMode { get; set; } = true;

    public string DevAccessKeyId { get; set; } = "AKIAOPENSMADEV000000";

    public string DevSecretAccessKey { get; set; } = "opensma/dev/secret/key/not/a/real/one0000";

    /// <summary>Most sandboxes per function when the function sets no reserved concurrency.</summary>
    public int DefaultConcurrency { get; set; } = 10;

    /// <summary>Lambda's init phase limit.</summary>
    public TimeSpan InitTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Check a code directory before each invocation and recycle warm sandboxes when it changed.</summary>
    public bool HotReload { get; set; } = true;

    public string NodeExecutable { get; set; } = "node";

    public string PythonExecutable { get; set; } = "python3";

    public string DotnetExecutable { get; set; } = "dotnet";

    /// <summary>Log lines kept per function for <c>opensma functions logs</c>.</summary>
    public int LogCapacity { get; set; } = 2000;

    /// <summary>Functions registered at start-up (configuration file entries).</summary>
    public IList<FunctionDefinition> Functions { get; } = [];

    /// <summary>When set, ARNs with no local function are invoked in real Lambda (or a compatible endpoint).</summary>
    public RemoteLambdaOptions? Remote { get; set; }

    /// <summary>Reads the options and the function entries (<c>Functions</c>, a list) from a configuration section.</summary>
    public static void Bind(IConfiguration section, FunctionsOptions options)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(options);
        var before = options.Functions.Count;
        section.Bind(options);
        // The binder's own attempt at the list is replaced by the explicit reading below.
        while (options.Functions.Count > before)
            options.Functions.RemoveAt(options.Functions.Count - 1);
        foreach (var entry in section.GetSection(nameof(Functions)).GetChildren())
        {
            var environment = entry.GetSection(nameof(FunctionDefinition.Environment)).GetChildren()
                .ToDictionary(e => e.Key, e => e.Value ?? "", StringComparer.Ordinal);
            options.Functions.Add(new FunctionDefinition
            {
                Name = entry[nameof(FunctionDefinition.Name)] ?? throw new FunctionConfigurationException($"Function entry '{entry.Path}' has no Name."),
                Runtime = entry[nameof(FunctionDefinition.Runtime)] ?? throw new FunctionConfigurationException($"Function entry '{entry.Path}' has no Runtime."),
                Handler = entry[nameof(FunctionDefinition.Handler)] ?? "index.handler",
                CodeDirectory = entry[nameof(FunctionDefinition.CodeDirectory)],
                ZipFile = entry[nameof(FunctionDefinition.ZipFile)],
                MemorySize = entry.GetValue(nameof(FunctionDefinition.MemorySize), 128),
                Timeout = entry.GetValue(nameof(FunctionDefinition.Timeout), 3),
                ReservedConcurrency = entry.GetValue<int?>(nameof(FunctionDefinition.ReservedConcurrency)),
                Description = entry[nameof(FunctionDefinition.Description)] ?? "",
                Environment = environment,
            });
        }
    }
}
