namespace OpenSma.Storage.Objects;

/// <summary>Builds the configured store: the folder backend, each named S3 backend, and the routing over them.
/// Each backend keeps recent HEAD results for prompt plays (<see cref="StorageOptions.PromptHeadFreshness"/>).</summary>
public static class ObjectStoreFactory
{
    /// <param name="time">The clock for the HEAD freshness window; null: the system clock.</param>
    public static RoutedObjectStore Create(StorageOptions options, string dataDirectory, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var backends = new Dictionary<string, IObjectStore>(StringComparer.Ordinal)
        {
            [StorageOptions.FolderBackend] = new HeadCachingObjectStore(
                new FolderObjectStore(options.FolderRoot ?? Path.Combine(dataDirectory, "buckets")), options.PromptHeadFreshness, time),
        };
        foreach (var (name, s3) in options.S3)
        {
            if (name == StorageOptions.FolderBackend)
            {
                throw new InvalidOperationException($"Storage: '{StorageOptions.FolderBackend}' is the built-in folder backend; name the S3 backend differently.");
            }

            backends[name] = new HeadCachingObjectStore(new S3ObjectStore(s3), options.PromptHeadFreshness, time);
        }

        return new RoutedObjectStore(backends, options.Buckets, options.DefaultBackend);
    }
}
