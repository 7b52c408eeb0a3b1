using OpenSma.Storage.Objects;

namespace OpenSma.Storage.Tests.Objects;

public sealed class RoutedObjectStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "opensma-routed-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Route_ExactNameBeatsPattern_LongestPatternBeatsShorter()
    {
        var one = new FolderObjectStore(Path.Combine(_root, "one"));
        var two = new FolderObjectStore(Path.Combine(_root, "two"));
        var store = new RoutedObjectStore(
            new Dictionary<string, IObjectStore> { ["folder"] = one, ["two"] = two },
            new Dictionary<string, BucketRule>
            {
                ["rec-*"] = new() { Backend = "two", SmaRead = false },
                ["rec-open-*"] = new() { Backend = "folder" },
                ["rec-exact"] = new() { Backend = "folder", SmaWrite = false },
            },
            "folder");

        Assert.Same(two, store.BackendOf("rec-calls"));
        Assert.Same(one, store.BackendOf("rec-open-1"));
        Assert.Same(one, store.BackendOf("rec-exact"));
        Assert.Same(one, store.BackendOf("prompts"));
        Assert.Equal(new BucketAccess(false, true), store.AccessOf("rec-calls"));
        Assert.Equal(new BucketAccess(true, false), store.AccessOf("rec-exact"));
        Assert.Equal(BucketAccess.Full, store.AccessOf("prompts"));

        Assert.Equal(ObjectStatus.Ok, await store.CreateBucketAsync("rec-calls", default));
        await store.PutAsync("rec-calls", "k", new byte[] { 7 }, ObjectMetadata.Default, default);
        Assert.True(File.Exists(Path.Combine(_root, "two", "rec-calls", "k")));
        Assert.Equal([7], (await store.GetAsync("rec-calls", "k", default)).Content.ToArray());
    }

    [Fact]
    public async Task ListBucketsAsync_ShowsOnlyBucketsRoutedToTheBackendHoldingThem()
    {
        var one = new FolderObjectStore(Path.Combine(_root, "one"));
        var two = new FolderObjectStore(Path.Combine(_root, "two"));
        one.CreateBucket("alpha");
        two.CreateBucket("beta-1");
        two.CreateBucket("stray"); // held by "two" but routed to the default: not shown
        var store = new RoutedObjectStore(
            new Dictionary<string, IObjectStore> { ["folder"] = one, ["two"] = two },
            new Dictionary<string, BucketRule> { ["beta-*"] = new() { Backend = "two" } },
            "folder");
        Assert.Equal(["alpha", "beta-1"], (await store.ListBucketsAsync(default)).Select(b => b.Name));
    }

    [Fact]
    public void Constructor_RuleNamingUnknownBackend_Throws()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new RoutedObjectStore(
            new Dictionary<string, IObjectStore> { ["folder"] = new FolderObjectStore(_root) },
            new Dictionary<string, BucketRule> { ["x-*"] = new() { Backend = "minio" } },
            "folder"));
        Assert.Contains("minio", ex.Message, StringComparison.Ordinal);
    }
}
