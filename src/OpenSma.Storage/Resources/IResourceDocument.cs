using System.Text.Json.Serialization.Metadata;

namespace OpenSma.Storage.Resources;

/// <summary>A resource kind the store keeps as one JSON document per row.</summary>
public interface IResourceDocument<TSelf>
    where TSelf : class, IResourceDocument<TSelf>
{
    /// <summary>The row kind; never changes once data exists.</summary>
    static abstract string Kind { get; }

    static abstract JsonTypeInfo<TSelf> JsonTypeInfo { get; }

    string Id { get; }

    /// <summary>A second key that must be unique within the kind (null when the kind has none).</summary>
    string? UniqueKey { get; }
}
