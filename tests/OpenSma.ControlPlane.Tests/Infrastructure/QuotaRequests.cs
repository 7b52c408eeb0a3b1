using System.Net;
using System.Text.Json;

namespace OpenSma.ControlPlane.Tests.Infrastructure;

/// <summary>Requests and checks the quota tests share, on SQLite and on PostgreSQL.</summary>
public static class QuotaRequests
{
    public const string CallJson = """{"FromPhoneNumber":"+12065550100","ToPhoneNumber":"+12065550199"}""";

    public static Func<ControlPlaneOptions, ControlPlaneOptions> WithQuotas(QuotaOptions quotas) => o => o with { Quotas = quotas with { Enabled = true } };

    public static string SmaJson(string name, string region) =>
        $$"""{"AwsRegion":"{{region}}","Name":"{{name}}","Endpoints":[{"LambdaArn":"arn:aws:lambda:{{region}}:123456789012:function:f"}]}""";

    /// <summary>An order of one number from the default pools (+1206555 01xx).</summary>
    public static string OrderJson(int index) =>
        $$"""{"ProductType":"SipMediaApplicationDialIn","E164PhoneNumbers":["+120655501{{index:00}}"]}""";

    /// <summary>
    /// Sends <paramref name="count"/> POSTs at once, request i to server i mod the number of servers.
    /// An equal wave of reads goes first, so every request of the burst finds a warm connection, an
    /// open store and compiled code, and the burst's requests overlap as much as they can.
    /// </summary>
    public static async Task<(HttpResponseMessage Response, JsonElement Body)[]> BurstAsync(
        IReadOnlyList<ControlPlaneServer> servers, int count, string path, Func<int, string> json)
    {
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => servers[i % servers.Count].SendAsync(HttpMethod.Get, "sip-media-applications")));
        return await Task.WhenAll(Enumerable.Range(0, count).Select(i => servers[i % servers.Count].SendAsync(HttpMethod.Post, path, json(i))));
    }

    public static async Task<string> CreateSmaAsync(ControlPlaneServer server, string name, string region)
    {
        var (response, body) = await server.SendAsync(HttpMethod.Post, "sip-media-applications", SmaJson(name, region));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return body.GetProperty("SipMediaApplication").GetProperty("SipMediaApplicationId").GetString()!;
    }

    /// <summary>Exactly <paramref name="allowed"/> requests got <paramref name="success"/>; every other one 400 ResourceLimitExceededException.</summary>
    public static void ExactlyWithinQuota(IReadOnlyList<(HttpResponseMessage Response, JsonElement Body)> results, int allowed, HttpStatusCode success)
    {
        var refused = results.Where(r => r.Response.StatusCode != success).ToList();
        Assert.Equal(allowed, results.Count - refused.Count);
        Assert.All(refused, r =>
        {
            Assert.True(r.Response.StatusCode == HttpStatusCode.BadRequest, $"{(int)r.Response.StatusCode}: {r.Body}");
            AwsAssert.Error(r.Response, r.Body, HttpStatusCode.BadRequest, "ResourceLimitExceededException");
        });
    }

    /// <summary>Exactly <paramref name="allowed"/> calls went through; every other one 429 ThrottledClientException.</summary>
    public static void ExactlyWithinRate(IReadOnlyList<(HttpResponseMessage Response, JsonElement Body)> results, int allowed)
    {
        var throttled = results.Where(r => r.Response.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(allowed, results.Count - throttled.Count);
        Assert.All(throttled, r => Throttled(r.Response, r.Body));
    }

    /// <summary>429 ThrottledClientException (whose <c>Code</c> is <c>Throttled</c>, not the type minus "Exception").</summary>
    public static void Throttled(HttpResponseMessage response, JsonElement body)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("ThrottledClientException", Assert.Single(response.Headers.GetValues("x-amzn-ErrorType")));
        Assert.Equal("Throttled", body.GetProperty("Code").GetString());
    }
}
