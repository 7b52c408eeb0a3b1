using System.Net;
using OpenSma.ControlPlane.Tests.Infrastructure;
using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Tests.Endpoints;

public sealed class SipMediaApplicationEndpointsTests : IAsyncLifetime
{
    private const string Lambda = "arn:aws:lambda:us-east-1:123456789012:function:sma-handler";
    private ControlPlaneServer _server = null!;

    public async Task InitializeAsync() => _server = await ControlPlaneServer.StartAsync(o => o with { AwsAccountId = "111122223333" });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<(HttpResponseMessage Response, System.Text.Json.JsonElement Body)> CreateAsync(string name, string endpoint = Lambda) =>
        _server.SendAsync(HttpMethod.Post, "sip-media-applications",
            $$"""{"AwsRegion":"us-east-1","Name":"{{name}}","Endpoints":[{"LambdaArn":"{{endpoint}}"}],"Tags":[{"Key":"env","Value":"dev"}]}""");

    [Fact]
    public async Task Create_ValidRequest_Returns201WithModelShape()
    {
        var (response, body) = await CreateAsync("my-sma");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.True(response.Headers.Contains("x-amzn-RequestId"));
        var sma = body.GetProperty("SipMediaApplication");
        var id = sma.GetProperty("SipMediaApplicationId").GetString()!;
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id);
        Assert.Equal("my-sma", sma.GetProperty("Name").GetString());
        Assert.Equal("us-east-1", sma.GetProperty("AwsRegion").GetString());
        Assert.Equal(Lambda, sma.GetProperty("Endpoints")[0].GetProperty("LambdaArn").GetString());
        Assert.Equal("2026-11-24T03:00:00.000Z", sma.GetProperty("CreatedTimestamp").GetString());
        Assert.Equal($"arn:aws:chime:us-east-1:111122223333:sma/{id}", sma.GetProperty("SipMediaApplicationArn").GetString());
        Assert.False(sma.TryGetProperty("Tags", out _));
        Assert.Equal([new ResourceTag("env", "dev")], await _server.Store.GetTagsAsync($"arn:aws:chime:us-east-1:111122223333:sma/{id}", CancellationToken.None));
    }

    [Fact]
    public async Task Create_HttpEndpoint_IsAcceptedAsHandlerUrl()
    {
        var (response, body) = await CreateAsync("http-sma", "http://127.0.0.1:9000/handler");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("http://127.0.0.1:9000/handler", body.GetProperty("SipMediaApplication").GetProperty("Endpoints")[0].GetProperty("LambdaArn").GetString());
    }

    [Theory]
    [InlineData("""{"Name":"x","Endpoints":[{"LambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:f"}]}""", "AwsRegion is required")]
    [InlineData("""{"AwsRegion":"us-east-1","Name":"bad/name","Endpoints":[{"LambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:f"}]}""", "Name does not match")]
    [InlineData("""{"AwsRegion":"us-east-1","Name":"x","Endpoints":[]}""", "Endpoints must have between 1 and 1")]
    [InlineData("""{"AwsRegion":"us-east-1","Name":"x","Endpoints":[{"LambdaArn":"not-an-arn"}]}""", "Endpoints[0].LambdaArn")]
    [InlineData("""{"AwsRegion":"us-east-1","Name":42,"Endpoints":[{"LambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:f"}]}""", "Name must be a string")]
    [InlineData("""{"AwsRegion":"us-east-1","Name":"x","Endpoints":[{"LambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:f"}],"Tags":[{"Key":"","Value":"v"}]}""", "Tags[0].Key must not be empty")]
    [InlineData("""{"AwsRegion":""", "not valid JSON")]
    [InlineData("""[1,2]""", "must be a JSON object")]
    public async Task Create_InvalidInput_IsBadRequestNamingTheField(string json, string message)
    {
        var (response, body) = await _server.SendAsync(HttpMethod.Post, "sip-media-applications", json);

        AwsAssert.Error(response, body, HttpStatusCode.BadRequest, "BadRequestException", message);
    }

    [Fact]
    public async Task Create_DuplicateName_IsConflict()
    {
        await CreateAsync("dup");

        var (response, body) = await CreateAsync("dup");

        AwsAssert.Error(response, body, HttpStatusCode.Conflict, "ConflictException", "dup");
    }

    [Fact]
    public async Task Get_UnknownId_IsNotFoundWithErrorHeader()
    {
        var (response, body) = await _server.SendAsync(HttpMethod.Get, "sip-media-applications/0b0e8a8e-0000-4000-8000-000000000000");

        AwsAssert.Error(response, body, HttpStatusCode.NotFound, "NotFoundException", "0b0e8a8e-0000-4000-8000-000000000000");
    }

    [Fact]
    public async Task GetUpdateDelete_Lifecycle_ChangesAndRemovesTheApplication()
    {
        var (_, created) = await CreateAsync("life");
        var id = created.GetProperty("SipMediaApplication").GetProperty("SipMediaApplicationId").GetString();
        _server.Time.Advance(TimeSpan.FromMinutes(5));

        var (updateResponse, updated) = await _server.SendAsync(HttpMethod.Put, $"sip-media-applications/{id}",
            """{"Name":"renamed","Endpoints":[{"LambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:v2"}]}""");
        var (_, fetched) = await _server.SendAsync(HttpMethod.Get, $"sip-media-applications/{id}");
        var (deleteResponse, _) = await _server.SendAsync(HttpMethod.Delete, $"sip-media-applications/{id}");
        var (afterDelete, afterBody) = await _server.SendAsync(HttpMethod.Get, $"sip-media-applications/{id}");

        Assert.Equal(HttpStatusCode.OK, updateResponse.StatusCode);
        Assert.Equal("renamed", updated.GetProperty("SipMediaApplication").GetProperty("Name").GetString());
        var sma = fetched.GetProperty("SipMediaApplication");
        Assert.Equal("renamed", sma.GetProperty("Name").GetString());
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:v2", sma.GetProperty("Endpoints")[0].GetProperty("LambdaArn").GetString());
        Assert.Equal("2026-11-24T03:00:00.000Z", sma.GetProperty("CreatedTimestamp").GetString());
        Assert.Equal("2026-11-24T03:05:00.000Z", sma.GetProperty("UpdatedTimestamp").GetString());
        Assert.Equal(HttpStatusCode.NoContent, deleteResponse.StatusCode);
        AwsAssert.Error(afterDelete, afterBody, HttpStatusCode.NotFound, "NotFoundException");
    }

    [Fact]
    public async Task List_WithMaxResults_PagesWithNextToken()
    {
        foreach (var name in new[] { "a1", "a2", "a3" })
        {
            await CreateAsync(name);
        }

        var (_, page1) = await _server.SendAsync(HttpMethod.Get, "sip-media-applications?max-results=2");
        var token = page1.GetProperty("NextToken").GetString();
        var (_, page2) = await _server.SendAsync(HttpMethod.Get, $"sip-media-applications?max-results=2&next-token={Uri.EscapeDataString(token!)}");
        var (badMax, badMaxBody) = await _server.SendAsync(HttpMethod.Get, "sip-media-applications?max-results=101");
        var (badToken, badTokenBody) = await _server.SendAsync(HttpMethod.Get, "sip-media-applications?next-token=garbage");

        Assert.Equal(["a1", "a2"], page1.GetProperty("SipMediaApplications").EnumerateArray().Select(s => s.GetProperty("Name").GetString()));
        Assert.Equal(["a3"], page2.GetProperty("SipMediaApplications").EnumerateArray().Select(s => s.GetProperty("Name").GetString()));
        Assert.False(page2.TryGetProperty("NextToken", out _));
        AwsAssert.Error(badMax, badMaxBody, HttpStatusCode.BadRequest, "BadRequestException", "max-results");
        AwsAssert.Error(badToken, badTokenBody, HttpStatusCode.BadRequest, "BadRequestException", "NextToken");
    }

    [Fact]
    public async Task LoggingConfiguration_PutThenGet_RoundTrips()
    {
        var (_, created) = await CreateAsync("logs");
        var id = created.GetProperty("SipMediaApplication").GetProperty("SipMediaApplicationId").GetString();

        var (_, before) = await _server.SendAsync(HttpMethod.Get, $"sip-media-applications/{id}/logging-configuration");
        var (putResponse, _) = await _server.SendAsync(HttpMethod.Put, $"sip-media-applications/{id}/logging-configuration",
            """{"SipMediaApplicationLoggingConfiguration":{"EnableSipMediaApplicationMessageLogs":true}}""");
        var (_, after) = await _server.SendAsync(HttpMethod.Get, $"sip-media-applications/{id}/logging-configuration");

        Assert.False(before.GetProperty("SipMediaApplicationLoggingConfiguration").TryGetProperty("EnableSipMediaApplicationMessageLogs", out _));
        Assert.Equal(HttpStatusCode.OK, putResponse.StatusCode);
        Assert.True(after.GetProperty("SipMediaApplicationLoggingConfiguration").GetProperty("EnableSipMediaApplicationMessageLogs").GetBoolean());
    }

    [Fact]
    public async Task AlexaSkillConfiguration_PutValidThenInvalid_KeepsValid()
    {
        var (_, created) = await CreateAsync("alexa");
        var id = created.GetProperty("SipMediaApplication").GetProperty("SipMediaApplicationId").GetString();
        const string skill = "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef";

        var (ok, _) = await _server.SendAsync(HttpMethod.Put, $"sip-media-applications/{id}/alexa-skill-configuration",
            $$$"""{"SipMediaApplicationAlexaSkillConfiguration":{"AlexaSkillStatus":"ACTIVE","AlexaSkillIds":["{{{skill}}}"]}}""");
        var (bad, badBody) = await _server.SendAsync(HttpMethod.Put, $"sip-media-applications/{id}/alexa-skill-configuration",
            """{"SipMediaApplicationAlexaSkillConfiguration":{"AlexaSkillStatus":"ON","AlexaSkillIds":["x"]}}""");
        var (_, got) = await _server.SendAsync(HttpMethod.Get, $"sip-media-applications/{id}/alexa-skill-configuration");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        AwsAssert.Error(bad, badBody, HttpStatusCode.BadRequest, "BadRequestException", "AlexaSkillStatus");
        Assert.Equal(skill, got.GetProperty("SipMediaApplicationAlexaSkillConfiguration").GetProperty("AlexaSkillIds")[0].GetString());
    }

    [Fact]
    public async Task Create_QuotaEnabled_RejectsBeyondLimit()
    {
        await using var server = await ControlPlaneServer.StartAsync(o => o with { Quotas = new QuotaOptions { Enabled = true, MaxSipMediaApplications = 1 } });
        const string json = """{"AwsRegion":"us-east-1","Name":"NAME","Endpoints":[{"LambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:f"}]}""";

        var (first, _) = await server.SendAsync(HttpMethod.Post, "sip-media-applications", json.Replace("NAME", "one", StringComparison.Ordinal));
        var (second, body) = await server.SendAsync(HttpMethod.Post, "sip-media-applications", json.Replace("NAME", "two", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        AwsAssert.Error(second, body, HttpStatusCode.BadRequest, "ResourceLimitExceededException", "quota");
    }

    [Fact]
    public async Task Restart_SameDataDirectory_KeepsApplications()
    {
        var (_, created) = await CreateAsync("durable");
        var id = created.GetProperty("SipMediaApplication").GetProperty("SipMediaApplicationId").GetString();
        var directory = _server.DataDirectory;
        var copy = directory + "-copy";
        // The first server still owns its files; restart on a copy taken after the acknowledged write.
        CopyDirectory(directory, copy);

        await using var restarted = await ControlPlaneServer.StartAsync(o => o with { AwsAccountId = "111122223333" }, copy);
        var (response, body) = await restarted.SendAsync(HttpMethod.Get, $"sip-media-applications/{id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("durable", body.GetProperty("SipMediaApplication").GetProperty("Name").GetString());
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
