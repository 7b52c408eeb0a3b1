using System.Text;
using OpenSma.Storage.Objects;

namespace OpenSma.ControlPlane.Tests.S3;

/// <summary>The AWSSDK.S3 backend against a real S3-compatible server: OpenSMA's own endpoint
/// (strict SigV4), reached over HTTP like any other S3 service.</summary>
public sealed class S3ObjectStoreTests : IAsyncLifetime
{
    private S3TestServer _server = null!;
    private S3ObjectStore _store = null!;

    public async Task InitializeAsync()
    {
        _server = await S3TestServer.StartAsync();
        _store = new S3ObjectStore(new S3BackendOptions
        {
            ServiceUrl = _server.Url,
            AccessKeyId = S3TestServer.AccessKeyId,
            SecretAccessKey = S3TestServer.Secret,
        });
    }

    public async Task DisposeAsync()
    {
        _store.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Store_BucketLifecycle_PutHeadGetListDelete()
    {
        Assert.False(await _store.BucketExistsAsync("remote-prompts", default));
        Assert.Equal(ObjectStatus.Ok, await _store.CreateBucketAsync("remote-prompts", default));
        Assert.True(await _store.BucketExistsAsync("remote-prompts", default));
        Assert.Equal(ObjectStatus.BucketExists, await _store.CreateBucketAsync("remote-prompts", default));
        Assert.Contains("remote-prompts", (await _store.ListBucketsAsync(default)).Select(b => b.Name));

        var content = new byte[200_000];
        new Random(3).NextBytes(content);
        var meta = ObjectMetadata.Wav(new Dictionary<string, string> { ["call-id"] = "call-9", ["recording-duration"] = "1.5" });
        var put = await _store.PutAsync("remote-prompts", "menus/main.wav", content, meta, default);
        Assert.Equal(ObjectStatus.Ok, put.Status);

        var head = await _store.HeadAsync("remote-prompts", "menus/main.wav", default);
        Assert.Equal(put.ETag, head.ETag);
        Assert.Equal(content.Length, head.Info!.Size);
        Assert.Equal("audio/wav", head.Metadata!.ContentType);
        Assert.Equal("call-9", head.Metadata.UserMetadata["call-id"]);

        var got = await _store.GetAsync("remote-prompts", "menus/main.wav", default);
        Assert.Equal(content, got.Content.ToArray());
        Assert.Equal("1.5", got.Metadata!.UserMetadata["recording-duration"]);
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(_server.DataDirectory, "buckets", "remote-prompts", "menus", "main.wav")));

        await _store.PutAsync("remote-prompts", "a.wav", Encoding.ASCII.GetBytes("x"), ObjectMetadata.Default, default);
        var page = await _store.ListAsync("remote-prompts", null, null, 1, default);
        Assert.Equal(["a.wav"], page.Objects.Select(o => o.Key));
        Assert.True(page.IsTruncated);
        var rest = await _store.ListAsync("remote-prompts", null, "a.wav", 10, default);
        Assert.Equal(["menus/main.wav"], rest.Objects.Select(o => o.Key));

        Assert.Equal(ObjectStatus.Ok, await _store.DeleteAsync("remote-prompts", "a.wav", default));
        Assert.Equal(ObjectStatus.NoSuchKey, await _store.DeleteAsync("remote-prompts", "a.wav", default));
        Assert.Equal(ObjectStatus.NoSuchKey, (await _store.GetAsync("remote-prompts", "a.wav", default)).Status);
        Assert.Equal(ObjectStatus.NoSuchKey, (await _store.HeadAsync("remote-prompts", "a.wav", default)).Status);
        Assert.Equal(ObjectStatus.NoSuchBucket, (await _store.GetAsync("absent-bucket", "a.wav", default)).Status);
    }

    [Fact]
    public async Task Store_WrongSecret_IsAccessDenied()
    {
        using var wrong = new S3ObjectStore(new S3BackendOptions { ServiceUrl = _server.Url, AccessKeyId = S3TestServer.AccessKeyId, SecretAccessKey = "wrong" });
        var put = await wrong.PutAsync("any-bucket", "k", new byte[] { 1 }, ObjectMetadata.Default, default);
        Assert.Equal(ObjectStatus.AccessDenied, put.Status);
    }

    [Fact]
    public async Task RoutedStore_BucketPatternToS3Backend_LandsOnTheRemoteServer()
    {
        await using var local = await S3TestServer.StartAsync($$"""
            { "Storage": {
                "S3": { "remote": { "ServiceUrl": "{{_server.Url}}", "AccessKeyId": "{{S3TestServer.AccessKeyId}}", "SecretAccessKey": "{{S3TestServer.Secret}}" } },
                "Buckets": { "archive-*": { "Backend": "remote" } } } }
            """);
        var routed = local.Store;
        Assert.Equal(ObjectStatus.Ok, await routed.CreateBucketAsync("archive-2026", default));
        Assert.Equal(ObjectStatus.Ok, (await routed.PutAsync("archive-2026", "k.wav", new byte[] { 4, 2 }, ObjectMetadata.Wav(), default)).Status);
        Assert.True(File.Exists(Path.Combine(_server.DataDirectory, "buckets", "archive-2026", "k.wav")));
        Assert.False(Directory.Exists(Path.Combine(local.DataDirectory, "buckets", "archive-2026")));
        Assert.Equal([4, 2], (await routed.GetAsync("archive-2026", "k.wav", default)).Content.ToArray());
    }
}
