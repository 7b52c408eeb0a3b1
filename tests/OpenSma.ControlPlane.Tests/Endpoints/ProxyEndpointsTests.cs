using System.Net;
using System.Text.Json;
using OpenSma.ControlPlane.Proxy;
using OpenSma.ControlPlane.Tests.Infrastructure;

namespace OpenSma.ControlPlane.Tests.Endpoints;

public sealed class ProxyEndpointsTests : IAsyncLifetime
{
    private static readonly string[] ProxyNumbers = ["+12065550100", "+12065550101", "+14155550100"];
    private ControlPlaneServer _server = null!;
    private string _vc = "";

    public async Task InitializeAsync()
    {
        _server = await ControlPlaneServer.StartAsync();
        var (_, vc) = await _server.SendAsync(HttpMethod.Post, "voice-connectors", """{"Name":"proxy-trunk","RequireEncryption":false}""");
        _vc = vc.GetProperty("VoiceConnector").GetProperty("VoiceConnectorId").GetString()!;
        var (ordered, _) = await _server.SendAsync(HttpMethod.Post, "phone-number-orders",
            JsonSerializer.Serialize(new { ProductType = "VoiceConnector", E164PhoneNumbers = ProxyNumbers }));
        Assert.Equal(HttpStatusCode.Created, ordered.StatusCode);
        var (associated, errors) = await _server.SendAsync(HttpMethod.Post, $"voice-connectors/{_vc}?operation=associate-phone-numbers",
            JsonSerializer.Serialize(new { E164PhoneNumbers = ProxyNumbers }));
        Assert.Equal(HttpStatusCode.OK, associated.StatusCode);
        Assert.Empty(errors.GetProperty("PhoneNumberErrors").EnumerateArray());
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<(HttpResponseMessage Response, JsonElement Body)> PutProxyAsync(int expiry = 60, string countries = "\"US\"") =>
        _server.SendAsync(HttpMethod.Put, $"voice-connectors/{_vc}/programmable-numbers/proxy",
            $$"""{"DefaultSessionExpiryMinutes":{{expiry}},"PhoneNumberPoolCountries":[{{countries}}],"FallBackPhoneNumber":"+12065550199"}""");

    private Task<(HttpResponseMessage Response, JsonElement Body)> CreateSessionAsync(string a, string b, string extra = "") =>
        _server.SendAsync(HttpMethod.Post, $"voice-connectors/{_vc}/proxy-sessions",
            $$"""{"ParticipantPhoneNumbers":["{{a}}","{{b}}"],"Capabilities":["Voice"]{{extra}}}""");

    [Fact]
    public async Task PutGetDeleteProxy_RoundTrips()
    {
        var (missing, missingBody) = await _server.SendAsync(HttpMethod.Get, $"voice-connectors/{_vc}/programmable-numbers/proxy");
        var (put, putBody) = await PutProxyAsync();
        var (_, got) = await _server.SendAsync(HttpMethod.Get, $"voice-connectors/{_vc}/programmable-numbers/proxy");
        var (deleted, _) = await _server.SendAsync(HttpMethod.Delete, $"voice-connectors/{_vc}/programmable-numbers/proxy");
        var (gone, goneBody) = await _server.SendAsync(HttpMethod.Get, $"voice-connectors/{_vc}/programmable-numbers/proxy");

        AwsAssert.Error(missing, missingBody, HttpStatusCode.NotFound, "NotFoundException", "no proxy configuration");
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(60, putBody.GetProperty("Proxy").GetProperty("DefaultSessionExpiryMinutes").GetInt32());
        var proxy = got.GetProperty("Proxy");
        Assert.Equal("+12065550199", proxy.GetProperty("FallBackPhoneNumber").GetString());
        Assert.Equal("US", proxy.GetProperty("PhoneNumberCountries")[0].GetString());
        Assert.False(proxy.GetProperty("Disabled").GetBoolean());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        AwsAssert.Error(gone, goneBody, HttpStatusCode.NotFound, "NotFoundException");
    }

    [Theory]
    [InlineData("""{"PhoneNumberPoolCountries":["US"]}""", "DefaultSessionExpiryMinutes is required")]
    [InlineData("""{"DefaultSessionExpiryMinutes":5,"PhoneNumberPoolCountries":[]}""", "PhoneNumberPoolCountries must have between 1 and 100")]
    [InlineData("""{"DefaultSessionExpiryMinutes":5,"PhoneNumberPoolCountries":["usa"]}""", "PhoneNumberPoolCountries[0]")]
    [InlineData("""{"DefaultSessionExpiryMinutes":5,"PhoneNumberPoolCountries":["US"],"FallBackPhoneNumber":"call me"}""", "FallBackPhoneNumber")]
    public async Task PutProxy_BadInput_IsBadRequestNamingTheField(string json, string message)
    {
        var (response, body) = await _server.SendAsync(HttpMethod.Put, $"voice-connectors/{_vc}/programmable-numbers/proxy", json);

        AwsAssert.Error(response, body, HttpStatusCode.BadRequest, "BadRequestException", message);
    }

    [Fact]
    public async Task CreateSession_WithoutProxyConfiguration_IsBadRequest()
    {
        var (response, body) = await CreateSessionAsync("+15035550001", "+15035550002");

        AwsAssert.Error(response, body, HttpStatusCode.BadRequest, "BadRequestException", "PutVoiceConnectorProxy");
    }

    [Fact]
    public async Task CreateSession_AssignsConnectorNumbersAndRoutesCallsBetweenParticipants()
    {
        await PutProxyAsync();

        var (created, body) = await CreateSessionAsync("+15035550001", "+15035550002", ""","Name":"ride 42" """);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var session = body.GetProperty("ProxySession");
        Assert.Equal("Open", session.GetProperty("Status").GetString());
        Assert.Equal(60, session.GetProperty("ExpiryMinutes").GetInt32());
        Assert.Equal("ride 42", session.GetProperty("Name").GetString());
        var participants = session.GetProperty("Participants").EnumerateArray().ToList();
        Assert.Equal("+15035550001", participants[0].GetProperty("PhoneNumber").GetString());
        var proxyA = participants[0].GetProperty("ProxyPhoneNumber").GetString()!;
        var proxyB = participants[1].GetProperty("ProxyPhoneNumber").GetString()!;
        Assert.Contains(proxyA, ProxyNumbers);
        Assert.Contains(proxyB, ProxyNumbers);

        var route = await ProxySessionRouting.ResolveAsync(_server.Store, _vc, "+15035550001", proxyA, _server.Time.GetUtcNow(), CancellationToken.None);
        var back = await ProxySessionRouting.ResolveAsync(_server.Store, _vc, "+15035550002", proxyB, _server.Time.GetUtcNow(), CancellationToken.None);
        var stranger = await ProxySessionRouting.ResolveAsync(_server.Store, _vc, "+15035550003", proxyA, _server.Time.GetUtcNow(), CancellationToken.None);

        Assert.Equal(new ProxyRoute(session.GetProperty("ProxySessionId").GetString(), "+15035550002", proxyB), route);
        Assert.Equal("+15035550001", back!.Destination);
        Assert.Equal(proxyA, back.CallerId);
        Assert.Null(stranger);
    }

    [Fact]
    public async Task CreateSession_ParticipantAlreadyUsesEveryNumber_IsBadRequest()
    {
        await PutProxyAsync();

        // +15035550001 takes one proxy number per open session; the connector has three.
        var codes = new List<HttpStatusCode>();
        foreach (var other in new[] { "+15035550002", "+15035550003", "+15035550004", "+15035550005" })
        {
            codes.Add((await CreateSessionAsync("+15035550001", other)).Response.StatusCode);
        }

        var (_, list) = await _server.SendAsync(HttpMethod.Get, $"voice-connectors/{_vc}/proxy-sessions");
        var used = list.GetProperty("ProxySessions").EnumerateArray()
            .Select(s => s.GetProperty("Participants")[0].GetProperty("ProxyPhoneNumber").GetString())
            .ToList();

        Assert.Equal(new[] { HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.BadRequest }, codes);
        Assert.Equal(3, used.Distinct().Count());
    }

    [Fact]
    public async Task CreateSession_ConcurrentForOneParticipant_NeverSharesAProxyNumber()
    {
        await PutProxyAsync();

        var attempts = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => CreateSessionAsync("+15035550001", $"+1503555010{i}")));

        var created = attempts.Where(a => a.Response.StatusCode == HttpStatusCode.Created).ToList();
        Assert.Equal(3, created.Count);
        Assert.Equal(3, attempts.Count(a => a.Response.StatusCode == HttpStatusCode.BadRequest));
        var numbers = created.Select(a => a.Body.GetProperty("ProxySession").GetProperty("Participants")[0].GetProperty("ProxyPhoneNumber").GetString()).ToList();
        Assert.Equal(ProxyNumbers.Order(StringComparer.Ordinal), numbers.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Session_AfterExpiry_IsClosedAndCallsReachTheFallbackNumber()
    {
        await PutProxyAsync(expiry: 10);
        var (_, body) = await CreateSessionAsync("+15035550001", "+15035550002");
        var id = body.GetProperty("ProxySession").GetProperty("ProxySessionId").GetString();
        var proxyA = body.GetProperty("ProxySession").GetProperty("Participants")[0].GetProperty("ProxyPhoneNumber").GetString()!;

        _server.Time.Advance(TimeSpan.FromMinutes(11));
        var (_, got) = await _server.SendAsync(HttpMethod.Get, $"voice-connectors/{_vc}/proxy-sessions/{id}");
        var (_, open) = await _server.SendAsync(HttpMethod.Get, $"voice-connectors/{_vc}/proxy-sessions?status=Open");
        var (_, closed) = await _server.SendAsync(HttpMethod.Get, $"voice-connectors/{_vc}/proxy-sessions?status=Closed");
        var (update, updateBody) = await _server.SendAsync(HttpMethod.Post, $"voice-connectors/{_vc}/proxy-sessions/{id}", """{"Capabilities":["Voice","SMS"]}""");
        var route = await ProxySessionRouting.ResolveAsync(_server.Store, _vc, "+15035550001", proxyA, _server.Time.GetUtcNow(), CancellationToken.None);

        Assert.Equal("Closed", got.GetProperty("ProxySession").GetProperty("Status").GetString());
        Assert.Equal("2026-11-24T03:10:00.000Z", got.GetProperty("ProxySession").GetProperty("EndedTimestamp").GetString());
        Assert.Empty(open.GetProperty("ProxySessions").EnumerateArray());
        Assert.Single(closed.GetProperty("ProxySessions").EnumerateArray());
        AwsAssert.Error(update, updateBody, HttpStatusCode.BadRequest, "BadRequestException", "closed");
        Assert.Equal(new ProxyRoute(null, "+12065550199", proxyA), route);
    }

    [Fact]
    public async Task UpdateAndDeleteSession_ChangeCapabilitiesThenRemove()
    {
        await PutProxyAsync();
        var (_, body) = await CreateSessionAsync("+15035550001", "+15035550002");
        var id = body.GetProperty("ProxySession").GetProperty("ProxySessionId").GetString();

        var (updated, updatedBody) = await _server.SendAsync(HttpMethod.Post, $"voice-connectors/{_vc}/proxy-sessions/{id}",
            """{"Capabilities":["SMS"],"ExpiryMinutes":5}""");
        var (deleted, _) = await _server.SendAsync(HttpMethod.Delete, $"voice-connectors/{_vc}/proxy-sessions/{id}");
        var (gone, goneBody) = await _server.SendAsync(HttpMethod.Get, $"voice-connectors/{_vc}/proxy-sessions/{id}");

        Assert.Equal(HttpStatusCode.Created, updated.StatusCode);
        var session = updatedBody.GetProperty("ProxySession");
        Assert.Equal("SMS", Assert.Single(session.GetProperty("Capabilities").EnumerateArray()).GetString());
        Assert.Equal(5, session.GetProperty("ExpiryMinutes").GetInt32());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        AwsAssert.Error(gone, goneBody, HttpStatusCode.NotFound, "NotFoundException");
    }

    [Theory]
    [InlineData("""{"ParticipantPhoneNumbers":["+15035550001"],"Capabilities":["Voice"]}""", "ParticipantPhoneNumbers must have between 2 and 2")]
    [InlineData("""{"ParticipantPhoneNumbers":["+15035550001","+15035550001"],"Capabilities":["Voice"]}""", "two different numbers")]
    [InlineData("""{"ParticipantPhoneNumbers":["+15035550001","+15035550002"]}""", "Capabilities is required")]
    [InlineData("""{"ParticipantPhoneNumbers":["+15035550001","+15035550002"],"Capabilities":["Fax"]}""", "Capabilities[0]")]
    [InlineData("""{"ParticipantPhoneNumbers":["+15035550001","+15035550002"],"Capabilities":["Voice"],"Name":"no-dashes-allowed"}""", "Name")]
    [InlineData("""{"ParticipantPhoneNumbers":["+15035550001","+15035550002"],"Capabilities":["Voice"],"ExpiryMinutes":0}""", "ExpiryMinutes")]
    [InlineData("""{"ParticipantPhoneNumbers":["+15035550001","+15035550002"],"Capabilities":["Voice"],"GeoMatchLevel":"AreaCode"}""", "GeoMatchParams is required")]
    [InlineData("""{"ParticipantPhoneNumbers":["+15035550001","+15035550002"],"Capabilities":["Voice"],"NumberSelectionBehavior":"Random"}""", "NumberSelectionBehavior")]
    public async Task CreateSession_BadInput_IsBadRequestNamingTheField(string json, string message)
    {
        await PutProxyAsync();

        var (response, body) = await _server.SendAsync(HttpMethod.Post, $"voice-connectors/{_vc}/proxy-sessions", json);

        AwsAssert.Error(response, body, HttpStatusCode.BadRequest, "BadRequestException", message);
    }

    [Fact]
    public async Task CreateSession_GeoMatchAreaCode_PrefersNumbersInThatAreaCode()
    {
        await PutProxyAsync();

        var (_, body) = await CreateSessionAsync("+15035550001", "+15035550002",
            ""","GeoMatchLevel":"AreaCode","GeoMatchParams":{"Country":"US","AreaCode":"415"}""");

        var participants = body.GetProperty("ProxySession").GetProperty("Participants");
        Assert.Equal("+14155550100", participants[0].GetProperty("ProxyPhoneNumber").GetString());
        Assert.Equal("AreaCode", body.GetProperty("ProxySession").GetProperty("GeoMatchLevel").GetString());
    }

    [Fact]
    public async Task Sessions_UnknownConnectorOrSession_AreNotFound()
    {
        var (connector, connectorBody) = await _server.SendAsync(HttpMethod.Get, "voice-connectors/nosuchconnector/proxy-sessions");
        var (session, sessionBody) = await _server.SendAsync(HttpMethod.Get, $"voice-connectors/{_vc}/proxy-sessions/00000000-0000-4000-8000-000000000000");

        AwsAssert.Error(connector, connectorBody, HttpStatusCode.NotFound, "NotFoundException", "Voice connector");
        AwsAssert.Error(session, sessionBody, HttpStatusCode.NotFound, "NotFoundException", "Proxy session");
    }

    [Fact]
    public async Task DeleteVoiceConnector_RemovesItsProxyConfigurationAndSessions()
    {
        await PutProxyAsync();
        await CreateSessionAsync("+15035550001", "+15035550002");
        await _server.SendAsync(HttpMethod.Post, $"voice-connectors/{_vc}?operation=disassociate-phone-numbers",
            JsonSerializer.Serialize(new { E164PhoneNumbers = ProxyNumbers }));

        var (deleted, _) = await _server.SendAsync(HttpMethod.Delete, $"voice-connectors/{_vc}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Null(await _server.Store.GetAsync<OpenSma.Storage.Resources.VoiceConnectorProxy>(_vc, CancellationToken.None));
        Assert.Empty(await OpenSma.Storage.Resources.ResourceStoreExtensions.ListAllAsync<OpenSma.Storage.Resources.ProxySession>(_server.Store, CancellationToken.None));
    }
}
