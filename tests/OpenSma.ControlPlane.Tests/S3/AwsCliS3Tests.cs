using System.Text.Json;

namespace OpenSma.ControlPlane.Tests.S3;

/// <summary>The real AWS CLI (s3 and s3api) against OpenSMA's S3 endpoint with strict SigV4.</summary>
public sealed class AwsCliS3Tests : IAsyncLifetime
{
    private S3TestServer _server = null!;
    private readonly string _work = Path.Combine(Path.GetTempPath(), "opensma-s3cli-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_work);
        _server = await S3TestServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task S3Commands_MakeBucketCopyListDownloadRemove_RoundTripTheBytes()
    {
        var content = new byte[300_000];
        new Random(7).NextBytes(content);
        var local = Path.Combine(_work, "prompt.wav");
        await File.WriteAllBytesAsync(local, content);

        Ok(await _server.AwsAsync("s3", "mb", "s3://prompts-bucket"));
        Ok(await _server.AwsAsync("s3", "cp", local, "s3://prompts-bucket/menus/main.wav"));
        Ok(await _server.AwsAsync("s3", "cp", local, "s3://prompts-bucket/top.wav"));

        var buckets = Ok(await _server.AwsAsync("s3", "ls"));
        Assert.Contains("prompts-bucket", buckets, StringComparison.Ordinal);
        var root = Ok(await _server.AwsAsync("s3", "ls", "s3://prompts-bucket/"));
        Assert.Contains("PRE menus/", root, StringComparison.Ordinal);
        Assert.Contains("300000 top.wav", root, StringComparison.Ordinal);

        var back = Path.Combine(_work, "back.wav");
        Ok(await _server.AwsAsync("s3", "cp", "s3://prompts-bucket/menus/main.wav", back));
        Assert.Equal(content, await File.ReadAllBytesAsync(back));
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(_server.DataDirectory, "buckets", "prompts-bucket", "menus", "main.wav")));

        Ok(await _server.AwsAsync("s3", "rm", "s3://prompts-bucket/", "--recursive"));
        var after = await _server.AwsAsync("s3api", "list-objects-v2", "--bucket", "prompts-bucket", "--output", "json");
        Assert.Equal(0, after.Exit);
        Assert.DoesNotContain("\"Key\"", after.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task S3Api_PutObjectWithMetadata_HeadAndRangedGetReturnThem()
    {
        var local = Path.Combine(_work, "body.bin");
        await File.WriteAllTextAsync(local, "0123456789abcdef");
        Ok(await _server.AwsAsync("s3api", "create-bucket", "--bucket", "meta-bucket"));
        Ok(await _server.AwsAsync("s3api", "put-object", "--bucket", "meta-bucket", "--key", "a b+c.txt", "--body", local, "--content-type", "text/plain", "--metadata", "call-id=c1"));

        using var head = JsonDocument.Parse(Ok(await _server.AwsAsync("s3api", "head-object", "--bucket", "meta-bucket", "--key", "a b+c.txt", "--output", "json")));
        Assert.Equal(16, head.RootElement.GetProperty("ContentLength").GetInt32());
        Assert.Equal("text/plain", head.RootElement.GetProperty("ContentType").GetString());
        Assert.Equal("c1", head.RootElement.GetProperty("Metadata").GetProperty("call-id").GetString());

        var part = Path.Combine(_work, "part.bin");
        using var ranged = JsonDocument.Parse(Ok(await _server.AwsAsync("s3api", "get-object", "--bucket", "meta-bucket", "--key", "a b+c.txt", "--range", "bytes=2-5", part, "--output", "json")));
        Assert.Equal("bytes 2-5/16", ranged.RootElement.GetProperty("ContentRange").GetString());
        Assert.Equal("2345", await File.ReadAllTextAsync(part));

        using var listed = JsonDocument.Parse(Ok(await _server.AwsAsync("s3api", "list-objects-v2", "--bucket", "meta-bucket", "--output", "json")));
        Assert.Equal("a b+c.txt", listed.RootElement.GetProperty("Contents")[0].GetProperty("Key").GetString());
    }

    [Fact]
    public async Task S3Api_Errors_AreS3Codes()
    {
        var missingBucket = await _server.AwsAsync("s3api", "list-objects-v2", "--bucket", "no-such-bucket");
        Assert.NotEqual(0, missingBucket.Exit);
        Assert.Contains("NoSuchBucket", missingBucket.Stderr, StringComparison.Ordinal);

        Ok(await _server.AwsAsync("s3api", "create-bucket", "--bucket", "err-bucket"));
        var missingKey = await _server.AwsAsync("s3api", "get-object", "--bucket", "err-bucket", "--key", "nope", Path.Combine(_work, "x"));
        Assert.Contains("NoSuchKey", missingKey.Stderr, StringComparison.Ordinal);

        var wrongSecret = await _server.AwsWithSecretAsync("not-the-secret", "s3api", "list-buckets");
        Assert.Contains("SignatureDoesNotMatch", wrongSecret.Stderr, StringComparison.Ordinal);
    }

    private static string Ok(ProcessResult result)
    {
        Assert.True(result.Exit == 0, $"aws exited {result.Exit}: {result.Stderr}");
        return result.Stdout;
    }
}
