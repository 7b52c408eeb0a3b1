using System.Net;
using OpenSma.ControlPlane.Tests.Infrastructure;
using OpenSma.Engine.Control;

namespace OpenSma.ControlPlane.Tests.Endpoints;

public sealed class CallEndpointsTests : IAsyncLifetime
{
    private const string Lambda = "arn:aws:lambda:us-west-2:123456789012:function:outbound";
    private ControlPlaneServer _server = null!;
    private string _smaId = "";

    public async Task InitializeAsync()
    {
        _server = await ControlPlaneServer.StartAsync(o => o with { AwsAccountId = "210987654321" });
        var (_, body) = await _server.SendAsync(HttpMethod.Post, "sip-media-applications",
            $$"""{"AwsRegion":"us-west-2","Name":"caller","Endpoints":[{"LambdaArn":"{{Lambda}}"}]}""");
        _smaId = body.GetProperty("SipMediaApplication").GetProperty("SipMediaApplicationId").GetString()!;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Create_ValidCall_ReachesEngineWithSmaReferenceAndMaps()
    {
        var (response, body) = await _server.SendAsync(HttpMethod.Post, $"sip-media-applications/{_smaId}/calls",
            """{"FromPhoneNumber":"+12065550100","ToPhoneNumber":"12065550199","SipHeaders":{"X-Custom-Header":"abc","User-to-User":"616d;encoding=hex"},"ArgumentsMap":{"CallerName":"Alice"}}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var request = Assert.Single(_server.Calls.Created);
        Assert.Equal(new SipMediaApplicationRef(_smaId, "210987654321", "us-west-2", Lambda), request.Application);
        Assert.Equal("+12065550100", request.FromPhoneNumber);
        Assert.Equal("+12065550199", request.ToPhoneNumber);
        Assert.Equal("abc", request.SipHeaders!["X-Custom-Header"]);
        Assert.Equal("Alice", request.ArgumentsMap!["CallerName"]);
        var transactionId = body.GetProperty("SipMediaApplicationCall").GetProperty("TransactionId").GetString();
        Assert.True(_server.Calls.LiveTransactions.ContainsKey(transactionId!));
    }

    [Theory]
    [InlineData("""{"FromPhoneNumber":"+12065550100"}""", "ToPhoneNumber is required")]
    [InlineData("""{"FromPhoneNumber":"+12065550100","ToPhoneNumber":"555-0199"}""", "ToPhoneNumber does not match")]
    [InlineData("""{"FromPhoneNumber":"+12065550100","ToPhoneNumber":"+12065550199","SipHeaders":{"Contact":"x"}}""", "SipHeaders.Contact")]
    [InlineData("""{"FromPhoneNumber":"+12065550100","ToPhoneNumber":"+12065550199","ArgumentsMap":{"a":1}}""", "ArgumentsMap.a must be a string")]
    public async Task Create_InvalidInput_IsBadRequestAndNeverReachesEngine(string json, string message)
    {
        var (response, body) = await _server.SendAsync(HttpMethod.Post, $"sip-media-applications/{_smaId}/calls", json);

        AwsAssert.Error(response, body, HttpStatusCode.BadRequest, "BadRequestException", message);
        Assert.Empty(_server.Calls.Created);
    }

    [Fact]
    public async Task Create_UnknownSma_IsNotFound()
    {
        var (response, body) = await _server.SendAsync(HttpMethod.Post, "sip-media-applications/0b0e8a8e-0000-4000-8000-000000000000/calls",
            """{"FromPhoneNumber":"+12065550100","ToPhoneNumber":"+12065550199"}""");

        AwsAssert.Error(response, body, HttpStatusCode.NotFound, "NotFoundException");
    }

    [Theory]
    [InlineData(CallControlStatus.ResourceLimitExceeded, HttpStatusCode.BadRequest, "ResourceLimitExceededException", "ResourceLimitExceeded")]
    [InlineData(CallControlStatus.Throttled, HttpStatusCode.TooManyRequests, "ThrottledClientException", "Throttled")]
    [InlineData(CallControlStatus.BadRequest, HttpStatusCode.BadRequest, "BadRequestException", "BadRequest")]
    public async Task Create_EngineRefuses_MapsToAwsError(CallControlStatus status, HttpStatusCode http, string type, string code)
    {
        _server.Calls.NextCreateResult = CallControlResult.Fail(status, "engine says no");

        var (response, body) = await _server.SendAsync(HttpMethod.Post, $"sip-media-applications/{_smaId}/calls",
            """{"FromPhoneNumber":"+12065550100","ToPhoneNumber":"+12065550199"}""");

        Assert.Equal(http, response.StatusCode);
        Assert.Equal(type, Assert.Single(response.Headers.GetValues("x-amzn-ErrorType")));
        Assert.Equal(code, body.GetProperty("Code").GetString());
        Assert.Equal("engine says no", body.GetProperty("Message").GetString());
    }

    [Fact]
    public async Task Update_LiveTransaction_Returns202AndDeliversArguments()
    {
        var (_, created) = await _server.SendAsync(HttpMethod.Post, $"sip-media-applications/{_smaId}/calls",
            """{"FromPhoneNumber":"+12065550100","ToPhoneNumber":"+12065550199"}""");
        var transactionId = created.GetProperty("SipMediaApplicationCall").GetProperty("TransactionId").GetString();

        var (response, body) = await _server.SendAsync(HttpMethod.Post, $"sip-media-applications/{_smaId}/calls/{transactionId}",
            """{"Arguments":{"action":"transfer","target":"+14255550199"}}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(transactionId, body.GetProperty("SipMediaApplicationCall").GetProperty("TransactionId").GetString());
        var update = Assert.Single(_server.Calls.Updated);
        Assert.Equal(_smaId, update.SmaId);
        Assert.Equal("transfer", update.Arguments["action"]);
        Assert.Equal("+14255550199", update.Arguments["target"]);
    }

    [Fact]
    public async Task Update_UnknownTransactionOrMissingArguments_IsNotFoundOrBadRequest()
    {
        var (unknown, unknownBody) = await _server.SendAsync(HttpMethod.Post, $"sip-media-applications/{_smaId}/calls/6d5f4e3a-1b2c-4d5e-8f90-a1b2c3d4e5f6",
            """{"Arguments":{"action":"hangup"}}""");
        var (missing, missingBody) = await _server.SendAsync(HttpMethod.Post, $"sip-media-applications/{_smaId}/calls/6d5f4e3a-1b2c-4d5e-8f90-a1b2c3d4e5f6", "{}");

        AwsAssert.Error(unknown, unknownBody, HttpStatusCode.NotFound, "NotFoundException", "6d5f4e3a");
        AwsAssert.Error(missing, missingBody, HttpStatusCode.BadRequest, "BadRequestException", "Arguments is required");
    }

    [Fact]
    public async Task Create_QuotaEnabled_SecondCallInSameSecondIsThrottled()
    {
        await using var server = await ControlPlaneServer.StartAsync(o => o with { Quotas = new QuotaOptions { Enabled = true, CreateCallsPerSecond = 1 } });
        var (_, sma) = await server.SendAsync(HttpMethod.Post, "sip-media-applications",
            """{"AwsRegion":"us-east-1","Name":"q","Endpoints":[{"LambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:f"}]}""");
        var path = $"sip-media-applications/{sma.GetProperty("SipMediaApplication").GetProperty("SipMediaApplicationId").GetString()}/calls";
        const string call = """{"FromPhoneNumber":"+12065550100","ToPhoneNumber":"+12065550199"}""";

        var (first, _) = await server.SendAsync(HttpMethod.Post, path, call);
        var (second, _) = await server.SendAsync(HttpMethod.Post, path, call);
        server.Time.Advance(TimeSpan.FromSeconds(1));
        var (third, _) = await server.SendAsync(HttpMethod.Post, path, call);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal("ThrottledClientException", Assert.Single(second.Headers.GetValues("x-amzn-ErrorType")));
        Assert.Equal(HttpStatusCode.Created, third.StatusCode);
    }
}
