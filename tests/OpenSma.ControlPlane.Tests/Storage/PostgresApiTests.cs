using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using OpenSma.ControlPlane.Tests.Clients;
using OpenSma.ControlPlane.Tests.Infrastructure;
using OpenSma.Storage.Resources;
using OpenSma.Testing;

namespace OpenSma.ControlPlane.Tests.Storage;

/// <summary>The HTTP API on the PostgreSQL store, against a real server the fixture starts
/// (initdb + pg_ctl on a free loopback port; scripts/install-deps installs PostgreSQL).</summary>
public sealed class PostgresApiTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private static FakeTimeProvider RealNow() => new(TimeProvider.System.GetUtcNow());

    private static Func<ControlPlaneOptions, ControlPlaneOptions> OnPostgres(string connectionString, bool strict = false) => o => o with
    {
        Store = ResourceStoreOptions.ForPostgreSql(connectionString),
        SigV4 = strict
            ? new SigV4Options { Mode = SigV4Mode.Strict, Credentials = new Dictionary<string, string> { ["AKIDOPENSMATEST"] = "opensma-test-secret" } }
            : o.SigV4,
    };

    [Fact]
    public async Task Boto3_FullLifecycle_PostgresStoreStrictSigV4_Works()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var server = await ControlPlaneServer.StartAsync(OnPostgres(database, strict: true), time: RealNow());

        var json = (await ClientProcess.RunAsync("python3", ["clients/lifecycle.py", server.BaseAddress.ToString().TrimEnd('/')])).Json();

        // Other servers may share the database, so nothing is served from an in-process cache.
        Assert.IsNotType<CachedResourceStore>(server.Store);
        SdkClientTests.AssertLifecycle(json, server, "+1212555", "Bob", "transfer");
        Assert.Equal("NotFoundException", json.GetProperty("notFound").GetString());
        Assert.Equal("Unassigned", json.GetProperty("restored").GetString());

        // What the client did is in PostgreSQL itself, not in some cache in front of it.
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM resources WHERE kind = 'phone-number'", connection);
        Assert.Equal(2L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Lifecycle_OverHttp_SurvivesARestartOnTheSameDatabase()
    {
        var database = await postgres.CreateDatabaseAsync();
        string smaId, ruleId, vcId, sessionId;
        await using (var server = await ControlPlaneServer.StartAsync(OnPostgres(database)))
        {
            var (_, sma) = await server.SendAsync(HttpMethod.Post, "sip-media-applications",
                """{"AwsRegion":"us-east-1","Name":"pg-sma","Endpoints":[{"LambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:pg"}],"Tags":[{"Key":"db","Value":"postgres"}]}""");
            smaId = sma.GetProperty("SipMediaApplication").GetProperty("SipMediaApplicationId").GetString()!;
            var (_, rule) = await server.SendAsync(HttpMethod.Post, "sip-rules",
                $$"""{"Name":"pg-rule","TriggerType":"ToPhoneNumber","TriggerValue":"+12065550100","TargetApplications":[{"SipMediaApplicationId":"{{smaId}}","Priority":1,"AwsRegion":"us-east-1"}]}""");
            ruleId = rule.GetProperty("SipRule").GetProperty("SipRuleId").GetString()!;
            var (updated, _) = await server.SendAsync(HttpMethod.Put, $"sip-rules/{ruleId}", """{"Name":"pg-rule-2","Disabled":true}""");
            Assert.Equal(HttpStatusCode.Accepted, updated.StatusCode);

            var (_, vc) = await server.SendAsync(HttpMethod.Post, "voice-connectors", """{"Name":"pg-trunk","RequireEncryption":false}""");
            vcId = vc.GetProperty("VoiceConnector").GetProperty("VoiceConnectorId").GetString()!;
            await server.SendAsync(HttpMethod.Post, "phone-number-orders", """{"ProductType":"VoiceConnector","E164PhoneNumbers":["+14155550100"]}""");
            await server.SendAsync(HttpMethod.Post, $"voice-connectors/{vcId}?operation=associate-phone-numbers", """{"E164PhoneNumbers":["+14155550100"]}""");
            await server.SendAsync(HttpMethod.Put, $"voice-connectors/{vcId}/programmable-numbers/proxy",
                """{"DefaultSessionExpiryMinutes":30,"PhoneNumberPoolCountries":["US"]}""");
            var (created, session) = await server.SendAsync(HttpMethod.Post, $"voice-connectors/{vcId}/proxy-sessions",
                """{"ParticipantPhoneNumbers":["+15035550001","+15035550002"],"Capabilities":["Voice"]}""");
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            sessionId = session.GetProperty("ProxySession").GetProperty("ProxySessionId").GetString()!;
        }

        await using var restarted = await ControlPlaneServer.StartAsync(OnPostgres(database));
        var (_, smaAfter) = await restarted.SendAsync(HttpMethod.Get, $"sip-media-applications/{smaId}");
        var (_, ruleAfter) = await restarted.SendAsync(HttpMethod.Get, $"sip-rules/{ruleId}");
        var arn = smaAfter.GetProperty("SipMediaApplication").GetProperty("SipMediaApplicationArn").GetString()!;
        var (_, tags) = await restarted.SendAsync(HttpMethod.Get, "tags?arn=" + Uri.EscapeDataString(arn));
        var (_, number) = await restarted.SendAsync(HttpMethod.Get, "phone-numbers/%2B14155550100");
        var (_, sessionAfter) = await restarted.SendAsync(HttpMethod.Get, $"voice-connectors/{vcId}/proxy-sessions/{sessionId}");
        var (deleteRule, _) = await restarted.SendAsync(HttpMethod.Delete, $"sip-rules/{ruleId}");
        var (deleteSma, _) = await restarted.SendAsync(HttpMethod.Delete, $"sip-media-applications/{smaId}");
        var (_, rulesLeft) = await restarted.SendAsync(HttpMethod.Get, "sip-rules");

        Assert.Equal("pg-sma", smaAfter.GetProperty("SipMediaApplication").GetProperty("Name").GetString());
        Assert.Equal("pg-rule-2", ruleAfter.GetProperty("SipRule").GetProperty("Name").GetString());
        Assert.True(ruleAfter.GetProperty("SipRule").GetProperty("Disabled").GetBoolean());
        Assert.Equal("postgres", Assert.Single(tags.GetProperty("Tags").EnumerateArray()).GetProperty("Value").GetString());
        Assert.Equal(vcId, number.GetProperty("PhoneNumber").GetProperty("Associations")[0].GetProperty("Value").GetString());
        Assert.Equal("Open", sessionAfter.GetProperty("ProxySession").GetProperty("Status").GetString());
        Assert.Equal(HttpStatusCode.NoContent, deleteRule.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleteSma.StatusCode);
        Assert.Empty(rulesLeft.GetProperty("SipRules").EnumerateArray());
    }

    [Fact]
    public async Task CreateProxySession_TwoServersOneDatabaseAtOnce_NeverShareAParticipantsProxyNumber()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var first = await ControlPlaneServer.StartAsync(OnPostgres(database));
        await using var second = await ControlPlaneServer.StartAsync(OnPostgres(database));
        var (_, vc) = await first.SendAsync(HttpMethod.Post, "voice-connectors", """{"Name":"shared-trunk","RequireEncryption":false}""");
        var vcId = vc.GetProperty("VoiceConnector").GetProperty("VoiceConnectorId").GetString()!;
        string[] pool = ["+14155550100", "+14155550101", "+14155550102"];
        var numbers = JsonSerializer.Serialize(pool);
        await first.SendAsync(HttpMethod.Post, "phone-number-orders", $$"""{"ProductType":"VoiceConnector","E164PhoneNumbers":{{numbers}}}""");
        await first.SendAsync(HttpMethod.Post, $"voice-connectors/{vcId}?operation=associate-phone-numbers", $$"""{"E164PhoneNumbers":{{numbers}}}""");
        await first.SendAsync(HttpMethod.Put, $"voice-connectors/{vcId}/programmable-numbers/proxy",
            """{"DefaultSessionExpiryMinutes":0,"PhoneNumberPoolCountries":["US"]}""");

        // Each round: one participant, eight counterparts, three numbers. The participant can hold each
        // number in one open session only, so exactly three creations may succeed, whichever server they reach.
        const int Rounds = 10;
        var refused = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var participant = $"+1503555{round:0000}";
            var creations = Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? first : second).SendAsync(HttpMethod.Post, $"voice-connectors/{vcId}/proxy-sessions",
                $$"""{"ParticipantPhoneNumbers":["{{participant}}","+1971555{{round:00}}{{i:00}}"],"Capabilities":["Voice"]}"""));
            var results = await Task.WhenAll(creations);
            var failed = results.Where(r => r.Response.StatusCode != HttpStatusCode.Created).ToList();
            Assert.All(failed, r => AwsAssert.Error(r.Response, r.Body, HttpStatusCode.BadRequest, "BadRequestException"));
            refused += failed.Count;
        }

        var stored = await ProxySessionsAsync(database, vcId);
        var pairs = stored.SelectMany(s => s.Participants).Select(p => (p.PhoneNumber, p.ProxyPhoneNumber)).ToList();
        Assert.Equal(pairs.Count, pairs.Distinct().Count());
        Assert.Equal(Rounds * 3, stored.Count);
        Assert.Equal(Rounds * 5, refused);
        Assert.All(
            pairs.Where(p => p.PhoneNumber.StartsWith("+1503555", StringComparison.Ordinal)).GroupBy(p => p.PhoneNumber),
            g => Assert.Equal(pool, g.Select(p => p.ProxyPhoneNumber).Order(StringComparer.Ordinal).ToArray()));
    }

    /// <summary>The sessions as a third, independent store instance reads them from the database.</summary>
    private static async Task<List<ProxySession>> ProxySessionsAsync(string database, string vcId)
    {
        var store = await ResourceStoreFactory.OpenAsync(ResourceStoreOptions.ForPostgreSql(database), TimeProvider.System, CancellationToken.None);
        try
        {
            return (await store.ListAllAsync<ProxySession>(CancellationToken.None)).Select(s => s.Value).Where(s => s.VoiceConnectorId == vcId).ToList();
        }
        finally
        {
            ((IDisposable)store).Dispose();
        }
    }

    [Fact]
    public async Task ConcurrentTagWrites_OverHttp_KeepEveryTag()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var server = await ControlPlaneServer.StartAsync(OnPostgres(database));
        var (_, sma) = await server.SendAsync(HttpMethod.Post, "sip-media-applications",
            """{"AwsRegion":"us-east-1","Name":"tagged","Endpoints":[{"LambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:t"}]}""");
        var arn = sma.GetProperty("SipMediaApplication").GetProperty("SipMediaApplicationArn").GetString()!;

        // Twenty writers tag the same SMA at once, each with its own key; every tag must be there.
        var writes = Enumerable.Range(0, 20).Select(i => server.SendAsync(HttpMethod.Post, "tags?operation=tag-resource",
            JsonSerializer.Serialize(new { ResourceARN = arn, Tags = new[] { new { Key = $"k{i:00}", Value = $"v{i}" } } })));
        var results = await Task.WhenAll(writes);
        var (_, tags) = await server.SendAsync(HttpMethod.Get, "tags?arn=" + Uri.EscapeDataString(arn));

        Assert.All(results, r => Assert.Equal(HttpStatusCode.NoContent, r.Response.StatusCode));
        Assert.Equal(
            Enumerable.Range(0, 20).Select(i => $"k{i:00}").ToArray(),
            tags.GetProperty("Tags").EnumerateArray().Select(t => t.GetProperty("Key").GetString()).Order(StringComparer.Ordinal).ToArray());
    }
}
