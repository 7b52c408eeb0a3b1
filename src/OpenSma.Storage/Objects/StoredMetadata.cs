using System.Text.Json.Serialization;

namespace OpenSma.Storage.Objects;

/// <summary>What the folder store keeps beside an object; Length and WriteTicks tell whether the
/// file is still the one the ETag was computed for.</summary>
internal sealed record StoredMetadata(
    string ContentType,
    Dictionary<string, string> UserMetadata,
    string ETag,
    long Length,
    long WriteTicks);

[JsonSerializable(typeof(StoredMetadata))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
