using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using OpenSma.Functions.Registry;
using OpenSma.Functions.Tests.Registry;
using OpenSma.Functions.Tests.TestSupport;

namespace OpenSma.Functions.Tests.LambdaApi;

public sealed class LambdaApiEndpointTests
{
    private static StringContent Json(JsonNode node) => new(node.ToJsonString(), Encoding.UTF8, "application/json");

    private static JsonObject CreateBody(string name) => new()
    {
        ["FunctionName"] = name,
        ["Runtime"] = "nodejs20.x",
        ["Role"] = "arn:aws:iam::111122223333:role/x",
        ["Handler"] = "index.handler",
        ["Code"] = new JsonObject { ["ZipFile"] = Convert.ToBase64String(FunctionRegistryTests.ZipOf(("index.js", "exports.handler = async () => 'ok';"))) },
    };

    [Fact]
    public async Task CreateFunction_TwiceWithSameName_IsConflict()
    {
        await using var server = await LambdaApiServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUrl };

        using var first = await http.PostAsync("/2015-03-31/functions", Json(CreateBody("dup")));
        using var second = await http.PostAsync("/2015-03-31/functions", Json(CreateBody("dup")));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("ResourceConflictException", second.Headers.GetValues("X-Amzn-ErrorType").Single());
    }

    [Fact]
    public async Task CreateFunction_UnsupportedRuntimeOrBadJson_IsRejectedWithReason()
    {
        await using var server = await LambdaApiServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        var body = CreateBody("x");
        body["Runtime"] = "java21";

        using var badRuntime = await http.PostAsync("/2015-03-31/functions", Json(body));
        using var badJson = await http.PostAsync("/2015-03-31/functions", new StringContent("{not json", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, badRuntime.StatusCode);
        Assert.Equal("InvalidParameterValueException", badRuntime.Headers.GetValues("X-Amzn-ErrorType").Single());
        var message = JsonNode.Parse(await badRuntime.Content.ReadAsStringAsync())!["message"]!.GetValue<string>();
        Assert.Contains("Runtime 'java21' is not supported", message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
        Assert.Equal("InvalidRequestContentException", badJson.Headers.GetValues("X-Amzn-ErrorType").Single());
        Assert.Empty(server.Host.List());
    }

    [Fact]
    public async Task Invoke_ReservedConcurrencyZero_Is429TooManyRequests()
    {
        await using var server = await LambdaApiServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        (await http.PostAsync("/2015-03-31/functions", Json(CreateBody("blocked")))).Dispose();

        using var put = await http.PutAsync("/2017-10-31/functions/blocked/concurrency", Json(new JsonObject { ["ReservedConcurrentExecutions"] = 0 }));
        using var invoked = await http.PostAsync("/2015-03-31/functions/blocked/invocations", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal((HttpStatusCode)429, invoked.StatusCode);
        Assert.Equal("TooManyRequestsException", invoked.Headers.GetValues("X-Amzn-ErrorType").Single());
        Assert.Contains("ReservedFunctionConcurrentInvocationLimitExceeded", await invoked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_UnknownFunctionOrInvalidPayload_IsRejected()
    {
        await using var server = await LambdaApiServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        (await http.PostAsync("/2015-03-31/functions", Json(CreateBody("fn")))).Dispose();

        using var missing = await http.PostAsync("/2015-03-31/functions/nobody/invocations", new StringContent("{}"));
        using var badPayload = await http.PostAsync("/2015-03-31/functions/fn/invocations", new StringContent("{oops"));
        using var dryRun = new HttpRequestMessage(HttpMethod.Post, "/2015-03-31/functions/fn/invocations") { Content = new StringContent("{}") };
        dryRun.Headers.Add("X-Amz-Invocation-Type", "DryRun");
        using var dry = await http.SendAsync(dryRun);

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("Function not found: arn:aws:lambda:us-east-1:111122223333:function:nobody", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badPayload.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, dry.StatusCode);
    }

    [Fact]
    public async Task Invoke_EscapedArnInPath_ResolvesTheFunction()
    {
        await using var server = await LambdaApiServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        (await http.PostAsync("/2015-03-31/functions", Json(CreateBody("fn")))).Dispose();
        var arn = Uri.EscapeDataString(LambdaArn.Format("us-east-1", "111122223333", "fn") + ":live");

        using var invoked = await http.PostAsync($"/2015-03-31/functions/{arn}/invocations", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.OK, invoked.StatusCode);
        Assert.Equal("\"ok\"", await invoked.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Invoke_EventInvocationType_Is202AndRunsInTheBackground()
    {
        await using var server = await LambdaApiServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        using var dir = new TempDirectory();
        var body = CreateBody("async-fn");
        body["Code"] = new JsonObject
        {
            ["ZipFile"] = Convert.ToBase64String(FunctionRegistryTests.ZipOf(("index.js",
                "exports.handler = async (event) => { require('node:fs').writeFileSync(event.file, 'ran'); return 'done'; };"))),
        };
        (await http.PostAsync("/2015-03-31/functions", Json(body))).Dispose();
        var file = dir.Combine("ran.txt");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/2015-03-31/functions/async-fn/invocations")
        {
            Content = Json(new JsonObject { ["file"] = file }),
        };
        request.Headers.Add("X-Amz-Invocation-Type", "Event");

        using var accepted = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        await Eventually.UntilAsync(() => File.Exists(file), "the background invocation to run");
        Assert.Equal("ran", File.ReadAllText(file));
    }
}
