using System.Net;
using OpenSma.ControlPlane.Tests.Infrastructure;
using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Tests.Endpoints;

public sealed class SipRuleEndpointsTests : IAsyncLifetime
{
    private ControlPlaneServer _server = null!;
    private string _smaId = "";

    public async Task InitializeAsync()
    {
        _server = await ControlPlaneServer.StartAsync();
        var (_, body) = await _server.SendAsync(HttpMethod.Post, "sip-media-applications",
            """{"AwsRegion":"us-east-1","Name":"target","Endpoints":[{"LambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:f"}]}""");
        _smaId = body.GetProperty("SipMediaApplication").GetProperty("SipMediaApplicationId").GetString()!;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<(HttpResponseMessage Response, System.Text.Json.JsonElement Body)> CreateRuleAsync(string triggerType, string value, string? smaId = null) =>
        _server.SendAsync(HttpMethod.Post, "sip-rules",
            $$"""{"Name":"inbound-main","TriggerType":"{{triggerType}}","TriggerValue":"{{value}}","TargetApplications":[{"SipMediaApplicationId":"{{smaId ?? _smaId}}","Priority":1,"AwsRegion":"us-east-1"}],"Disabled":false}""");

    [Fact]
    public async Task Create_ToPhoneNumber_Returns201AndIsFoundByTriggerKey()
    {
        var (response, body) = await CreateRuleAsync("ToPhoneNumber", "+12065550100");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var rule = body.GetProperty("SipRule");
        Assert.Equal("ToPhoneNumber", rule.GetProperty("TriggerType").GetString());
        Assert.False(rule.GetProperty("Disabled").GetBoolean());
        Assert.Equal(_smaId, rule.GetProperty("TargetApplications")[0].GetProperty("SipMediaApplicationId").GetString());
        var found = await _server.Store.FindByKeyAsync<SipRule>(SipRule.TriggerKey("ToPhoneNumber", "+12065550100"), CancellationToken.None);
        Assert.Equal(rule.GetProperty("SipRuleId").GetString(), found!.Value.Id);
    }

    [Theory]
    [InlineData("ToPhoneNumber", "not-a-number", "TriggerValue must be an E.164")]
    [InlineData("ByMagic", "+12065550100", "TriggerType must be one of")]
    [InlineData("RequestUriHostname", " ", "TriggerValue must not be empty")]
    public async Task Create_InvalidTrigger_IsBadRequest(string type, string value, string message)
    {
        var (response, body) = await CreateRuleAsync(type, value);

        AwsAssert.Error(response, body, HttpStatusCode.BadRequest, "BadRequestException", message);
    }

    [Fact]
    public async Task Create_UnknownTargetOrMissingTargets_IsBadRequest()
    {
        var (unknown, unknownBody) = await CreateRuleAsync("ToPhoneNumber", "+12065550101", "0b0e8a8e-0000-4000-8000-000000000000");
        var (missing, missingBody) = await _server.SendAsync(HttpMethod.Post, "sip-rules",
            """{"Name":"r","TriggerType":"ToPhoneNumber","TriggerValue":"+12065550102"}""");

        AwsAssert.Error(unknown, unknownBody, HttpStatusCode.BadRequest, "BadRequestException", "TargetApplications[0].SipMediaApplicationId");
        AwsAssert.Error(missing, missingBody, HttpStatusCode.BadRequest, "BadRequestException", "TargetApplications is required");
    }

    [Fact]
    public async Task Create_SameTriggerTwice_IsConflict()
    {
        await CreateRuleAsync("RequestUriHostname", "trunk.example.com");

        var (response, body) = await CreateRuleAsync("RequestUriHostname", "TRUNK.example.com");

        AwsAssert.Error(response, body, HttpStatusCode.Conflict, "ConflictException");
    }

    [Fact]
    public async Task UpdateThenDelete_EnabledRuleCannotBeDeleted_DisabledRuleCan()
    {
        var (_, created) = await CreateRuleAsync("ToPhoneNumber", "+12065550103");
        var id = created.GetProperty("SipRule").GetProperty("SipRuleId").GetString();

        var (enabledDelete, enabledBody) = await _server.SendAsync(HttpMethod.Delete, $"sip-rules/{id}");
        var (noName, noNameBody) = await _server.SendAsync(HttpMethod.Put, $"sip-rules/{id}", """{"Disabled":true}""");
        var (update, updated) = await _server.SendAsync(HttpMethod.Put, $"sip-rules/{id}", """{"Name":"inbound-main","Disabled":true}""");
        var (delete, _) = await _server.SendAsync(HttpMethod.Delete, $"sip-rules/{id}");
        var (get, getBody) = await _server.SendAsync(HttpMethod.Get, $"sip-rules/{id}");

        AwsAssert.Error(enabledDelete, enabledBody, HttpStatusCode.Conflict, "ConflictException", "disable it");
        AwsAssert.Error(noName, noNameBody, HttpStatusCode.BadRequest, "BadRequestException", "Name is required");
        Assert.Equal(HttpStatusCode.Accepted, update.StatusCode);
        Assert.True(updated.GetProperty("SipRule").GetProperty("Disabled").GetBoolean());
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        AwsAssert.Error(get, getBody, HttpStatusCode.NotFound, "NotFoundException");
    }

    [Fact]
    public async Task List_FilterBySipMediaApplication_ReturnsOnlyItsRules()
    {
        var (_, other) = await _server.SendAsync(HttpMethod.Post, "sip-media-applications",
            """{"AwsRegion":"us-east-1","Name":"other","Endpoints":[{"LambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:g"}]}""");
        var otherId = other.GetProperty("SipMediaApplication").GetProperty("SipMediaApplicationId").GetString();
        await CreateRuleAsync("ToPhoneNumber", "+12065550104");
        await CreateRuleAsync("ToPhoneNumber", "+12065550105", otherId);

        var (_, filtered) = await _server.SendAsync(HttpMethod.Get, $"sip-rules?max-results=10&sip-media-application={otherId}");
        var (_, all) = await _server.SendAsync(HttpMethod.Get, "sip-rules");

        Assert.Equal(["+12065550105"], filtered.GetProperty("SipRules").EnumerateArray().Select(r => r.GetProperty("TriggerValue").GetString()));
        Assert.Equal(2, all.GetProperty("SipRules").GetArrayLength());
    }

    [Fact]
    public async Task DeleteSipMediaApplication_StillTargeted_IsConflict()
    {
        await CreateRuleAsync("ToPhoneNumber", "+12065550106");

        var (response, body) = await _server.SendAsync(HttpMethod.Delete, $"sip-media-applications/{_smaId}");

        AwsAssert.Error(response, body, HttpStatusCode.Conflict, "ConflictException", "SIP rule");
    }

    [Theory]
    [InlineData("sip-rules/%20", "sipRuleId must not be empty")]
    [InlineData("sip-rules/", "empty path parameter")]
    [InlineData("sip-media-applications/", "empty path parameter")]
    public async Task Get_EmptyLabel_IsBadRequest(string path, string message)
    {
        var (response, body) = await _server.SendAsync(HttpMethod.Get, path);

        AwsAssert.Error(response, body, HttpStatusCode.BadRequest, "BadRequestException", message);
    }

    [Theory]
    [InlineData("PATCH", "sip-rules/abc")]
    [InlineData("GET", "sip-rules/abc/extra")]
    [InlineData("PATCH", "voice-connectors/abc/proxy-sessions")]
    [InlineData("GET", "voice-profiles/abc/extra")]
    public async Task UnknownOperation_UnderApiPrefix_IsAwsNotFound(string method, string path)
    {
        var (response, body) = await _server.SendAsync(new HttpMethod(method), path);

        AwsAssert.Error(response, body, HttpStatusCode.NotFound, "NotFoundException", "No operation matches");
    }
}
