using System.Net;
using System.Text.Json;
using OpenSma.ControlPlane.Tests.Infrastructure;

namespace OpenSma.ControlPlane.Tests.Endpoints;

public sealed class TagEndpointsTests : IAsyncLifetime
{
    private ControlPlaneServer _server = null!;
    private string _arn = "";

    public async Task InitializeAsync()
    {
        _server = await ControlPlaneServer.StartAsync();
        var (_, body) = await _server.SendAsync(HttpMethod.Post, "sip-media-applications",
            """{"AwsRegion":"us-east-1","Name":"tagged","Endpoints":[{"LambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:f"}]}""");
        _arn = body.GetProperty("SipMediaApplication").GetProperty("SipMediaApplicationArn").GetString()!;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TagUntagList_KnownArn_RoundTrips()
    {
        var (tag, _) = await _server.SendAsync(HttpMethod.Post, "tags?operation=tag-resource",
            JsonSerializer.Serialize(new { ResourceARN = _arn, Tags = new[] { new { Key = "a", Value = "1" }, new { Key = "b", Value = "2" } } }));
        var (untag, _) = await _server.SendAsync(HttpMethod.Post, "tags?operation=untag-resource",
            JsonSerializer.Serialize(new { ResourceARN = _arn, TagKeys = new[] { "a" } }));
        var (_, list) = await _server.SendAsync(HttpMethod.Get, "tags?arn=" + Uri.EscapeDataString(_arn));

        Assert.Equal(HttpStatusCode.NoContent, tag.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, untag.StatusCode);
        var only = Assert.Single(list.GetProperty("Tags").EnumerateArray());
        Assert.Equal("b", only.GetProperty("Key").GetString());
        Assert.Equal("2", only.GetProperty("Value").GetString());
    }

    [Fact]
    public async Task Tag_UnknownOrMalformedArnOrTooMany_IsRejected()
    {
        var unknownArn = _arn[..^5] + "00000";
        var (unknown, unknownBody) = await _server.SendAsync(HttpMethod.Post, "tags?operation=tag-resource",
            JsonSerializer.Serialize(new { ResourceARN = unknownArn, Tags = new[] { new { Key = "a", Value = "1" } } }));
        var (malformed, malformedBody) = await _server.SendAsync(HttpMethod.Get, "tags?arn=not-an-arn");
        var many = Enumerable.Range(0, 51).Select(i => new { Key = "k" + i, Value = "v" }).ToArray();
        var (tooMany, tooManyBody) = await _server.SendAsync(HttpMethod.Post, "tags?operation=tag-resource",
            JsonSerializer.Serialize(new { ResourceARN = _arn, Tags = many }));
        var (unknownOp, unknownOpBody) = await _server.SendAsync(HttpMethod.Post, "tags?operation=explode", "{}");

        AwsAssert.Error(unknown, unknownBody, HttpStatusCode.NotFound, "NotFoundException");
        AwsAssert.Error(malformed, malformedBody, HttpStatusCode.BadRequest, "BadRequestException", "arn");
        AwsAssert.Error(tooMany, tooManyBody, HttpStatusCode.BadRequest, "BadRequestException", "Tags must have between 1 and 50");
        AwsAssert.Error(unknownOp, unknownOpBody, HttpStatusCode.NotFound, "NotFoundException", "No operation");
    }
}
