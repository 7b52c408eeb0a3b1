using System.Net;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using OpenSma.ControlPlane.Tests.Infrastructure;
using OpenSma.Storage.Resources;
using OpenSma.Testing;
using static OpenSma.ControlPlane.Tests.Infrastructure.QuotaRequests;

namespace OpenSma.ControlPlane.Tests.Storage;

/// <summary>
/// The quotas with two API servers on one PostgreSQL database, as `opensma serve` twice would
/// run: a burst spread over both still provisions exactly the quota, and both count into one
/// call-rate window per operation and Region.
/// </summary>
public sealed class PostgresQuotaTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private const int Attempts = 24;

    /// <summary>Two API servers enforcing <paramref name="quotas"/> on one new database (on one clock, when given).</summary>
    private async Task<ServerPair> TwoServersAsync(QuotaOptions quotas, FakeTimeProvider? time = null)
    {
        var database = await postgres.CreateDatabaseAsync();
        Func<ControlPlaneOptions, ControlPlaneOptions> configure = o => WithQuotas(quotas)(o) with { Store = ResourceStoreOptions.ForPostgreSql(database) };
        var first = await ControlPlaneServer.StartAsync(configure, time: time);
        return new ServerPair(database, first, await ControlPlaneServer.StartAsync(configure, time: time));
    }

    [Fact]
    public async Task CreateSipMediaApplication_BurstOverTwoServers_ExactlyTheQuotaSucceeds()
    {
        const int Quota = 3;
        await using var servers = await TwoServersAsync(new QuotaOptions { MaxSipMediaApplications = Quota });

        var results = await BurstAsync(servers.Both, Attempts, "sip-media-applications", i => SmaJson($"burst-{i}", "us-east-1"));

        ExactlyWithinQuota(results, Quota, HttpStatusCode.Created);
        Assert.Equal(Quota, await CountAsync(servers.Database, SipMediaApplication.Kind));
    }

    [Fact]
    public async Task CreatePhoneNumberOrder_BurstOverTwoServers_ExactlyTheQuotaIsProvisioned()
    {
        const int Quota = 4;
        await using var servers = await TwoServersAsync(new QuotaOptions { MaxPhoneNumbers = Quota });

        var results = await BurstAsync(servers.Both, Attempts, "phone-number-orders", OrderJson);

        ExactlyWithinQuota(results, Quota, HttpStatusCode.Created);
        Assert.Equal(Quota, await CountAsync(servers.Database, PhoneNumber.Kind));
    }

    [Fact]
    public async Task CreateCallRate_TwoServers_ShareOneWindowPerRegion()
    {
        var time = new FakeTimeProvider(ControlPlaneServer.Start);
        await using var servers = await TwoServersAsync(new QuotaOptions { CreateCallsPerSecond = 1 }, time);
        var (first, second) = (servers.First, servers.Second);
        var east = await CreateSmaAsync(first, "east", "us-east-1");
        var west = await CreateSmaAsync(first, "west", "us-west-2");

        var (onFirst, _) = await first.SendAsync(HttpMethod.Post, $"sip-media-applications/{east}/calls", CallJson);
        var (onSecond, onSecondBody) = await second.SendAsync(HttpMethod.Post, $"sip-media-applications/{east}/calls", CallJson);
        var (otherRegion, _) = await second.SendAsync(HttpMethod.Post, $"sip-media-applications/{west}/calls", CallJson);
        time.Advance(TimeSpan.FromSeconds(1));
        var (nextSecond, _) = await second.SendAsync(HttpMethod.Post, $"sip-media-applications/{east}/calls", CallJson);
        var (nextSecondFirst, _) = await first.SendAsync(HttpMethod.Post, $"sip-media-applications/{east}/calls", CallJson);

        Assert.Equal(HttpStatusCode.Created, onFirst.StatusCode);
        Throttled(onSecond, onSecondBody);
        Assert.Equal(HttpStatusCode.Created, otherRegion.StatusCode);
        Assert.Equal(HttpStatusCode.Created, nextSecond.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, nextSecondFirst.StatusCode);
    }

    [Fact]
    public async Task UpdateCallRate_BurstOverTwoServers_ExactlyTheRateGoesThrough()
    {
        const int PerSecond = 5;
        await using var servers = await TwoServersAsync(new QuotaOptions { UpdateCallsPerSecond = PerSecond }, new FakeTimeProvider(ControlPlaneServer.Start));
        var (first, second) = (servers.First, servers.Second);
        var sma = await CreateSmaAsync(first, "updates", "us-east-1");
        // Each server's engine knows this transaction, so every update that passes the rate check is accepted.
        const string Transaction = "6d5f4e3a-1b2c-4d5e-8f90-a1b2c3d4e5f6";
        first.Calls.LiveTransactions[Transaction] = sma;
        second.Calls.LiveTransactions[Transaction] = sma;

        var results = await BurstAsync(servers.Both, Attempts, $"sip-media-applications/{sma}/calls/{Transaction}", _ => """{"Arguments":{"k":"v"}}""");

        ExactlyWithinRate(results, PerSecond);
        Assert.All(results.Where(r => r.Response.StatusCode != HttpStatusCode.TooManyRequests), r => Assert.Equal(HttpStatusCode.Accepted, r.Response.StatusCode));
        Assert.Equal(PerSecond, first.Calls.Updated.Count + second.Calls.Updated.Count);
    }

    private sealed record ServerPair(string Database, ControlPlaneServer First, ControlPlaneServer Second) : IAsyncDisposable
    {
        public ControlPlaneServer[] Both => [First, Second];

        public async ValueTask DisposeAsync()
        {
            await First.DisposeAsync();
            await Second.DisposeAsync();
        }
    }

    /// <summary>Rows of a kind as PostgreSQL itself holds them.</summary>
    private static async Task<long> CountAsync(string database, string kind)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM resources WHERE kind = @kind", connection);
        count.Parameters.AddWithValue("kind", kind);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
