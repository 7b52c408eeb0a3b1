using Microsoft.Extensions.Configuration;
using OpenSma.ControlPlane;
using OpenSma.Storage.Resources;

namespace OpenSma.Host.Cli;

/// <summary>
/// Reads <c>opensma serve</c> settings from the configuration file:
/// <code>
/// { "ControlPlane": { "AwsAccountId": "...", "AwsRegion": "...",
///                     "SigV4": { "Mode": "Strict", "Credentials": { "AKID...": "secret" } } },
///   "Store": { "Provider": "postgresql", "ConnectionString": "Host=...;Username=...;Database=..." },
///   "Functions": { "Functions": [ ... ] } }
/// </code>
/// Anything absent keeps its embedded default (SigV4 dev mode, SQLite in the data directory).
/// </summary>
internal static class ServeConfiguration
{
    public static ControlPlaneOptions ControlPlane(IConfiguration? configuration, string dataDirectory)
    {
        var section = configuration?.GetSection("ControlPlane");
        var defaults = new ControlPlaneOptions();
        var sigV4 = section?.GetSection("SigV4");
        var mode = sigV4?["Mode"] is { } text
            ? Enum.TryParse<SigV4Mode>(text, ignoreCase: true, out var parsed) ? parsed : throw new InvalidOperationException($"ControlPlane:SigV4:Mode '{text}' is not Off, Dev or Strict.")
            : defaults.SigV4.Mode;
        var credentials = sigV4?.GetSection("Credentials").GetChildren().ToDictionary(c => c.Key, c => c.Value ?? string.Empty, StringComparer.Ordinal)
            ?? new Dictionary<string, string>(StringComparer.Ordinal);
        if (mode == SigV4Mode.Strict && credentials.Count == 0)
        {
            throw new InvalidOperationException("ControlPlane:SigV4:Mode is Strict but no ControlPlane:SigV4:Credentials are configured.");
        }

        return defaults with
        {
            AwsAccountId = section?["AwsAccountId"] ?? defaults.AwsAccountId,
            AwsRegion = section?["AwsRegion"] ?? defaults.AwsRegion,
            SigV4 = defaults.SigV4 with { Mode = mode, Credentials = credentials },
            Store = Store(configuration, dataDirectory),
        };
    }

    private static ResourceStoreOptions Store(IConfiguration? configuration, string dataDirectory)
    {
        var section = configuration?.GetSection("Store");
        return section?["Provider"]?.ToLowerInvariant() switch
        {
            null or ResourceStoreOptions.Sqlite => ResourceStoreOptions.ForSqlite(dataDirectory),
            ResourceStoreOptions.PostgreSql => ResourceStoreOptions.ForPostgreSql(
                section["ConnectionString"] ?? throw new InvalidOperationException("Store:ConnectionString is required for postgresql.")),
            var other => throw new InvalidOperationException($"Store:Provider '{other}' is not sqlite or postgresql."),
        };
    }

    public static IConfiguration? Load(string? path)
    {
        var file = path ?? "opensma.json";
        if (!File.Exists(file))
        {
            return path is null ? null : throw new InvalidOperationException($"--config: the file '{path}' does not exist.");
        }

        return new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(file), optional: false).Build();
    }
}
