using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenSma.ControlPlane.Tests.Infrastructure;
using OpenSma.ControlPlane.Tests.S3;
using OpenSma.Storage.Objects;
using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Tests.Storage;

/// <summary>
/// Writes made through the API reach readers that keep results in memory: the SIP router's cache
/// over the registered store, and the prompt player's recent HEADs under the S3 endpoint.
/// </summary>
public sealed class ChangeSignalTests
{
    [Fact]
    public async Task ApiWrites_ToRulesAndSmas_InvalidateACacheOverTheRegisteredStore()
    {
        await using var server = await ControlPlaneServer.StartAsync();
        // As the router reads: its own cache over the store the API writes through, with a window far longer than the test.
        var reader = new CachedResourceStore(server.Store, freshness: TimeSpan.FromHours(1), time: new FakeTimeProvider());
        var (_, sma) = await server.SendAsync(HttpMethod.Post, "sip-media-applications",
            """{"AwsRegion":"us-east-1","Name":"target","Endpoints":[{"LambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:f"}]}""");
        var smaId = sma.GetProperty("SipMediaApplication").GetProperty("SipMediaApplicationId").GetString()!;
        var key = SipRule.TriggerKey("ToPhoneNumber", "+12065550100");
        Assert.Null(await reader.FindByKeyAsync<SipRule>(key, CancellationToken.None));

        var (_, created) = await server.SendAsync(HttpMethod.Post, "sip-rules",
            $$"""{"Name":"main","TriggerType":"ToPhoneNumber","TriggerValue":"+12065550100","TargetApplications":[{"SipMediaApplicationId":"{{smaId}}","Priority":1,"AwsRegion":"us-east-1"}],"Disabled":false}""");
        var ruleId = created.GetProperty("SipRule").GetProperty("SipRuleId").GetString()!;
        Assert.False((await reader.FindByKeyAsync<SipRule>(key, CancellationToken.None))!.Value.Disabled);
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:f", (await reader.GetAsync<SipMediaApplication>(smaId, CancellationToken.None))!.Value.Endpoint);

        Assert.True((await server.SendAsync(HttpMethod.Put, $"sip-rules/{ruleId}", """{"Name":"main","Disabled":true}""")).Response.IsSuccessStatusCode);
        Assert.True((await reader.FindByKeyAsync<SipRule>(key, CancellationToken.None))!.Value.Disabled);

        Assert.True((await server.SendAsync(HttpMethod.Put, $"sip-media-applications/{smaId}",
            """{"Endpoints":[{"LambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:g"}]}""")).Response.IsSuccessStatusCode);
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:g", (await reader.GetAsync<SipMediaApplication>(smaId, CancellationToken.None))!.Value.Endpoint);

        Assert.True((await server.SendAsync(HttpMethod.Delete, $"sip-rules/{ruleId}")).Response.IsSuccessStatusCode);
        Assert.Null(await reader.FindByKeyAsync<SipRule>(key, CancellationToken.None));
    }

    [Fact]
    public async Task S3PutAndDelete_ThroughTheEndpoint_AreSeenByThePromptHead()
    {
        await using var server = await S3TestServer.StartAsync(mode: SigV4Mode.Off);
        Assert.IsType<HeadCachingObjectStore>(server.Store.BackendOf("prompts"));
        using var http = new HttpClient { BaseAddress = new Uri(server.Url.TrimEnd('/') + "/") };
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Put, "prompts", null)).StatusCode);
        var first = await SendAsync(http, HttpMethod.Put, "prompts/menu.wav", "first");
        Assert.Equal(first.Headers.ETag!.Tag, (await server.Store.HeadRecentAsync("prompts", "menu.wav", default)).ETag);

        var second = await SendAsync(http, HttpMethod.Put, "prompts/menu.wav", "second, longer");

        Assert.NotEqual(first.Headers.ETag!.Tag, second.Headers.ETag!.Tag);
        Assert.Equal(second.Headers.ETag!.Tag, (await server.Store.HeadRecentAsync("prompts", "menu.wav", default)).ETag);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(http, HttpMethod.Delete, "prompts/menu.wav", null)).StatusCode);
        Assert.Equal(ObjectStatus.NoSuchKey, (await server.Store.HeadRecentAsync("prompts", "menu.wav", default)).Status);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string? body)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
        if (body is not null)
        {
            request.Content = new StringContent(body);
        }

        var response = await http.SendAsync(request);
        return response;
    }
}
