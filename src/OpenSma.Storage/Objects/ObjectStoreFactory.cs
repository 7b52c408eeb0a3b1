namespace OpenSma.Storage.Objects;

/// <summary>Builds the configured store: the folder backend, each named S3 backend, and the routing over them.</summary>
public static class ObjectStoreFactory
{
    public static RoutedObjectStore Create(StorageOptions options, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        var backends = new Dictionary<string, IObjectStore>(StringComparer.Ordinal)
        {
            [StorageOptions.FolderBackend] = new FolderObjectStore(options.FolderRoot ?? Path.Combine(dataDirectory, "buckets")),
        };
        foreach (var (name, s3) in options.S3)
        {
            if (name == StorageOptions.FolderBackend)
            {
                throw new InvalidOperationException($"Storage: '{StorageOptions.FolderBackend}' is the built-in folder backend; name the S3 backend differently.");
            }

            backends[name] = new S3ObjectStore(s3);
        }

        return new RoutedObjectStore(backends, options.Buckets, options.DefaultBackend);
    }
}
