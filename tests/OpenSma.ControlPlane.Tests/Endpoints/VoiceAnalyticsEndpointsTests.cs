using System.Net;
using OpenSma.ControlPlane.Tests.Infrastructure;

namespace OpenSma.ControlPlane.Tests.Endpoints;

public sealed class VoiceAnalyticsEndpointsTests : IAsyncLifetime
{
    private const string Kms = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    private ControlPlaneServer _server = null!;
    private string _vc = "";

    public async Task InitializeAsync()
    {
        _server = await ControlPlaneServer.StartAsync();
        var (_, vc) = await _server.SendAsync(HttpMethod.Post, "voice-connectors", """{"Name":"analytics-trunk","RequireEncryption":true}""");
        _vc = vc.GetProperty("VoiceConnector").GetProperty("VoiceConnectorId").GetString()!;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<string> CreateDomainAsync(string name = "callers", string token = "")
    {
        var tokenMember = token.Length == 0 ? "" : $$""","ClientRequestToken":"{{token}}" """;
        var (response, body) = await _server.SendAsync(HttpMethod.Post, "voice-profile-domains",
            $$"""{"Name":"{{name}}","ServerSideEncryptionConfiguration":{"KmsKeyArn":"{{Kms}}"},"Tags":[{"Key":"team","Value":"voice"}]{{tokenMember}}}""");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return body.GetProperty("VoiceProfileDomain").GetProperty("VoiceProfileDomainId").GetString()!;
    }

    [Fact]
    public async Task VoiceProfileDomain_Lifecycle_CreateGetListUpdateTagDelete()
    {
        var id = await CreateDomainAsync();

        var (_, got) = await _server.SendAsync(HttpMethod.Get, $"voice-profile-domains/{id}");
        var (_, list) = await _server.SendAsync(HttpMethod.Get, "voice-profile-domains?max-results=10");
        var (updated, updatedBody) = await _server.SendAsync(HttpMethod.Put, $"voice-profile-domains/{id}", """{"Description":"known callers"}""");
        var domain = got.GetProperty("VoiceProfileDomain");
        var arn = domain.GetProperty("VoiceProfileDomainArn").GetString()!;
        var (_, tags) = await _server.SendAsync(HttpMethod.Get, "tags?arn=" + Uri.EscapeDataString(arn));
        var (_, profiles) = await _server.SendAsync(HttpMethod.Get, $"voice-profiles?voice-profile-domain-id={id}");
        var (deleted, _) = await _server.SendAsync(HttpMethod.Delete, $"voice-profile-domains/{id}");
        var (gone, goneBody) = await _server.SendAsync(HttpMethod.Get, $"voice-profile-domains/{id}");

        Assert.Equal("callers", domain.GetProperty("Name").GetString());
        Assert.Equal(Kms, domain.GetProperty("ServerSideEncryptionConfiguration").GetProperty("KmsKeyArn").GetString());
        Assert.Equal($"arn:aws:chime:us-east-1:123456789012:voice-profile-domain/{id}", arn);
        Assert.Equal(id, Assert.Single(list.GetProperty("VoiceProfileDomains").EnumerateArray()).GetProperty("VoiceProfileDomainId").GetString());
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("known callers", updatedBody.GetProperty("VoiceProfileDomain").GetProperty("Description").GetString());
        Assert.Equal("voice", Assert.Single(tags.GetProperty("Tags").EnumerateArray()).GetProperty("Value").GetString());
        Assert.Empty(profiles.GetProperty("VoiceProfiles").EnumerateArray());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        AwsAssert.Error(gone, goneBody, HttpStatusCode.NotFound, "NotFoundException");
    }

    [Fact]
    public async Task CreateVoiceProfileDomain_SameClientRequestToken_ReturnsTheSameDomain()
    {
        var first = await CreateDomainAsync(token: "retry-1");
        var second = await CreateDomainAsync(token: "retry-1");
        var (conflict, conflictBody) = await _server.SendAsync(HttpMethod.Post, "voice-profile-domains",
            $$"""{"Name":"other","ServerSideEncryptionConfiguration":{"KmsKeyArn":"{{Kms}}"},"ClientRequestToken":"retry-1"}""");

        Assert.Equal(first, second);
        AwsAssert.Error(conflict, conflictBody, HttpStatusCode.Conflict, "ConflictException", "ClientRequestToken");
    }

    [Theory]
    [InlineData("""{"ServerSideEncryptionConfiguration":{"KmsKeyArn":"arn:aws:kms:us-east-1:1:key/k"}}""", "Name is required")]
    [InlineData("""{"Name":"d"}""", "ServerSideEncryptionConfiguration is required")]
    [InlineData("""{"Name":"d","ServerSideEncryptionConfiguration":{"KmsKeyArn":"not an arn"}}""", "ServerSideEncryptionConfiguration.KmsKeyArn")]
    [InlineData("""{"Name":"d","ServerSideEncryptionConfiguration":{"KmsKeyArn":"arn:aws:kms:us-east-1:1:key/k"},"ClientRequestToken":"has space"}""", "ClientRequestToken")]
    public async Task CreateVoiceProfileDomain_BadInput_IsBadRequestNamingTheField(string json, string message)
    {
        var (response, body) = await _server.SendAsync(HttpMethod.Post, "voice-profile-domains", json);

        AwsAssert.Error(response, body, HttpStatusCode.BadRequest, "BadRequestException", message);
    }

    [Fact]
    public async Task StartTasks_ConnectorWithoutVoiceAnalytics_AreBadRequest()
    {
        var domain = await CreateDomainAsync();

        var (search, searchBody) = await _server.SendAsync(HttpMethod.Post, $"voice-connectors/{_vc}/speaker-search-tasks",
            $$"""{"TransactionId":"t-1","VoiceProfileDomainId":"{{domain}}"}""");
        var (tone, toneBody) = await _server.SendAsync(HttpMethod.Post, $"voice-connectors/{_vc}/voice-tone-analysis-tasks",
            """{"TransactionId":"t-1","LanguageCode":"en-US"}""");

        AwsAssert.Error(search, searchBody, HttpStatusCode.BadRequest, "BadRequestException", "Voice analytics is not enabled");
        AwsAssert.Error(tone, toneBody, HttpStatusCode.BadRequest, "BadRequestException", "Voice analytics is not enabled");
    }

    [Theory]
    [InlineData("POST", "voice-connectors/{vc}/voice-tone-analysis-tasks", """{"TransactionId":"t-1","LanguageCode":"fr-FR"}""", "LanguageCode")]
    [InlineData("POST", "voice-connectors/{vc}/speaker-search-tasks", """{"VoiceProfileDomainId":"d"}""", "TransactionId is required")]
    [InlineData("POST", "voice-connectors/{vc}/speaker-search-tasks", """{"TransactionId":"t","VoiceProfileDomainId":"d","CallLeg":"Both"}""", "CallLeg")]
    [InlineData("POST", "voice-profiles", "{}", "SpeakerSearchTaskId is required")]
    [InlineData("GET", "voice-profiles", null, "voice-profile-domain-id is required")]
    [InlineData("GET", "voice-connectors/{vc}/voice-tone-analysis-tasks/x", null, "isCaller is required")]
    public async Task AnalyticsOperations_BadInput_IsBadRequestNamingTheField(string method, string path, string? json, string message)
    {
        var (response, body) = await _server.SendAsync(new HttpMethod(method), path.Replace("{vc}", _vc, StringComparison.Ordinal), json);

        AwsAssert.Error(response, body, HttpStatusCode.BadRequest, "BadRequestException", message);
    }

    [Theory]
    [InlineData("GET", "voice-connectors/{vc}/speaker-search-tasks/task-1", null, "Speaker search task task-1")]
    [InlineData("POST", "voice-connectors/{vc}/speaker-search-tasks/task-1?operation=stop", null, "Speaker search task task-1")]
    [InlineData("GET", "voice-connectors/{vc}/voice-tone-analysis-tasks/task-2?isCaller=true", null, "Voice tone analysis task task-2")]
    [InlineData("POST", "voice-connectors/{vc}/voice-tone-analysis-tasks/task-2?operation=stop", null, "Voice tone analysis task task-2")]
    [InlineData("POST", "voice-profiles", """{"SpeakerSearchTaskId":"task-1"}""", "Speaker search task task-1")]
    [InlineData("GET", "voice-profiles/profile-1", null, "Voice profile profile-1")]
    [InlineData("PUT", "voice-profiles/profile-1", """{"SpeakerSearchTaskId":"task-1"}""", "Voice profile profile-1")]
    [InlineData("DELETE", "voice-profiles/profile-1", null, "Voice profile profile-1")]
    [InlineData("GET", "voice-profiles?voice-profile-domain-id=nosuchdomain", null, "Voice profile domain nosuchdomain")]
    [InlineData("POST", "voice-connectors/nosuchconnector/voice-tone-analysis-tasks", """{"TransactionId":"t-1","LanguageCode":"en-US"}""", "Voice connector nosuchconnector")]
    public async Task AnalyticsOperations_NothingToFind_AreNotFound(string method, string path, string? json, string message)
    {
        var (response, body) = await _server.SendAsync(new HttpMethod(method), path.Replace("{vc}", _vc, StringComparison.Ordinal), json);

        AwsAssert.Error(response, body, HttpStatusCode.NotFound, "NotFoundException", message);
    }

    [Fact]
    public async Task ValidateE911Address_IsRefusedAfterValidation()
    {
        var (refused, refusedBody) = await _server.SendAsync(HttpMethod.Post, "emergency-calling/address",
            """{"AwsAccountId":"123456789012","StreetNumber":"410","StreetInfo":"Terry Ave N","City":"Seattle","State":"WA","Country":"US","PostalCode":"98109"}""");
        var (missing, missingBody) = await _server.SendAsync(HttpMethod.Post, "emergency-calling/address",
            """{"AwsAccountId":"123456789012","StreetNumber":"410","City":"Seattle","State":"WA","Country":"US","PostalCode":"98109"}""");
        var (other, otherBody) = await _server.SendAsync(HttpMethod.Post, "emergency-calling/address",
            """{"AwsAccountId":"999999999999","StreetNumber":"410","StreetInfo":"Terry Ave N","City":"Seattle","State":"WA","Country":"US","PostalCode":"98109"}""");

        AwsAssert.Error(refused, refusedBody, HttpStatusCode.BadRequest, "BadRequestException", "no E911 address-validation provider");
        AwsAssert.Error(missing, missingBody, HttpStatusCode.BadRequest, "BadRequestException", "StreetInfo is required");
        AwsAssert.Error(other, otherBody, HttpStatusCode.Forbidden, "ForbiddenException", "999999999999");
    }
}
