using Microsoft.Extensions.Configuration;
using OpenSma.Storage.Objects;

namespace OpenSma.ControlPlane.S3;

/// <summary>
/// Reads the <c>Storage</c> section of opensma.json (docs/storage.md):
/// <code>
/// "Storage": {
///   "FolderRoot": "/var/lib/opensma/buckets",
///   "S3": { "minio": { "ServiceUrl": "http://127.0.0.1:9000", "Region": "us-east-1",
///                      "AccessKeyId": "...", "SecretAccessKey": "..." } },
///   "Buckets": { "archive-*": { "Backend": "minio" }, "private-data": { "SmaRead": false } },
///   "DefaultBackend": "folder",
///   "PromptHeadFreshnessMs": 1000 }
/// </code>
/// <c>PromptHeadFreshnessMs</c> is how long a prompt's HEAD is reused between plays (whole
/// milliseconds; 0 makes a HEAD per play). A bad value is an <see cref="InvalidOperationException"/> naming its key.
/// </summary>
public static class StorageConfiguration
{
    public static StorageOptions Read(IConfiguration? section)
    {
        var defaults = new StorageOptions();
        if (section is null)
        {
            return defaults;
        }

        var s3 = section.GetSection("S3").GetChildren().ToDictionary(
            c => c.Key,
            c => new S3BackendOptions
            {
                ServiceUrl = c["ServiceUrl"],
                Region = c["Region"] ?? "us-east-1",
                AccessKeyId = c["AccessKeyId"],
                SecretAccessKey = c["SecretAccessKey"],
                ForcePathStyle = Bool(c, "ForcePathStyle", true),
            },
            StringComparer.Ordinal);
        var buckets = section.GetSection("Buckets").GetChildren().ToDictionary(
            c => c.Key,
            c => new BucketRule { Backend = c["Backend"], SmaRead = Bool(c, "SmaRead", true), SmaWrite = Bool(c, "SmaWrite", true) },
            StringComparer.Ordinal);
        return defaults with
        {
            FolderRoot = section["FolderRoot"],
            S3 = s3,
            Buckets = buckets,
            DefaultBackend = section["DefaultBackend"] ?? defaults.DefaultBackend,
            PromptHeadFreshness = ConfigurationValues.Milliseconds(section, "PromptHeadFreshnessMs") ?? defaults.PromptHeadFreshness,
        };
    }

    private static bool Bool(IConfiguration section, string name, bool fallback) =>
        section[name] is not { } text
            ? fallback
            : bool.TryParse(text, out var value) ? value : throw new InvalidOperationException($"Storage: '{(section is IConfigurationSection s ? s.Path : "")}:{name}' must be true or false, not '{text}'.");
}
