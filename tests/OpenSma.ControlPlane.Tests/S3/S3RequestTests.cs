using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using OpenSma.ControlPlane.S3;

namespace OpenSma.ControlPlane.Tests.S3;

/// <summary>How S3 requests are told apart from Chime and Lambda API requests on the shared address.</summary>
public sealed class S3RequestTests
{
    private static readonly S3ApiOptions Options = new();

    private static DefaultHttpContext Context(string target, string host = "127.0.0.1:8080", params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        var query = target.IndexOf('?', StringComparison.Ordinal);
        context.Request.Path = query < 0 ? target : target[..query];
        context.Request.QueryString = query < 0 ? QueryString.Empty : new QueryString(target[query..]);
        context.Request.Host = new HostString(host);
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = target;
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        return context;
    }

    private static string Auth(string service) =>
        $"AWS4-HMAC-SHA256 Credential=AKID/20261124/us-east-1/{service}/aws4_request, SignedHeaders=host;x-amz-date, Signature={new string('a', 64)}";

    [Theory]
    [InlineData("s3", true)]
    [InlineData("chime", false)]
    [InlineData("lambda", false)]
    public void IsS3_ByCredentialScopeService(string service, bool expected) =>
        Assert.Equal(expected, S3Request.IsS3(Context("/sip-media-applications", headers: ("Authorization", Auth(service))).Request, Options));

    [Fact]
    public void IsS3_UnsignedWithContentSha256_OrVirtualHost_OrPresigned()
    {
        Assert.True(S3Request.IsS3(Context("/b/k", headers: ("x-amz-content-sha256", "UNSIGNED-PAYLOAD")).Request, Options));
        Assert.True(S3Request.IsS3(Context("/k", "prompts.s3.localhost:8080").Request, Options));
        Assert.True(S3Request.IsS3(Context("/b/k?X-Amz-Credential=AKID%2F20261124%2Fus-east-1%2Fs3%2Faws4_request").Request, Options));
        Assert.False(S3Request.IsS3(Context("/phone-numbers").Request, Options));
    }

    [Theory]
    [InlineData("/", "127.0.0.1", null, null)]
    [InlineData("/prompts-bucket", "127.0.0.1", "prompts-bucket", null)]
    [InlineData("/prompts-bucket/", "127.0.0.1", "prompts-bucket", null)]
    [InlineData("/prompts-bucket/menus/a%20b%2Bc.wav?x-id=GetObject", "127.0.0.1", "prompts-bucket", "menus/a b+c.wav")]
    [InlineData("/menus/main.wav", "prompts-bucket.s3.localhost", "prompts-bucket", "menus/main.wav")]
    public void Parse_PathOrVirtualHost_GivesBucketAndKey(string target, string host, string? bucket, string? key)
    {
        var parsed = S3Request.Parse(Context(target, host), Options);
        Assert.Equal(bucket, parsed.Bucket);
        Assert.Equal(key, parsed.Key);
    }
}
