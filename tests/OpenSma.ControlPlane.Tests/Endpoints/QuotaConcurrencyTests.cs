using System.Net;
using OpenSma.ControlPlane.Tests.Infrastructure;
using static OpenSma.ControlPlane.Tests.Infrastructure.QuotaRequests;

namespace OpenSma.ControlPlane.Tests.Endpoints;

/// <summary>
/// Count quotas under concurrent requests on the SQLite store: the count and the insert are one
/// step, so exactly the quota's worth of a burst succeeds. And the call-rate quotas, per
/// operation and Region, in one-second windows of the (fake) clock.
/// </summary>
public sealed class QuotaConcurrencyTests
{
    private const int Attempts = 24;

    public QuotaConcurrencyTests()
    {
        // SQLite's async calls complete synchronously on the calling thread, and the pool starts with one
        // thread per core: on a two-core machine a burst would otherwise run about two requests at a time.
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, Attempts), completionPorts);
    }

    [Fact]
    public async Task CreateSipMediaApplication_BurstOverTheQuota_ExactlyTheQuotaSucceedsPerRegion()
    {
        const int Quota = 3;
        await using var server = await ControlPlaneServer.StartAsync(WithQuotas(new QuotaOptions { MaxSipMediaApplications = Quota }));

        var results = await BurstAsync([server], Attempts, "sip-media-applications", i => SmaJson($"burst-{i}", "us-east-1"));
        var (otherRegion, _) = await server.SendAsync(HttpMethod.Post, "sip-media-applications", SmaJson("west", "us-west-2"));
        var (_, list) = await server.SendAsync(HttpMethod.Get, "sip-media-applications");

        ExactlyWithinQuota(results, Quota, HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.Created, otherRegion.StatusCode);
        Assert.Equal(Quota + 1, list.GetProperty("SipMediaApplications").GetArrayLength());
    }

    [Fact]
    public async Task CreatePhoneNumberOrder_BurstOverTheQuota_ExactlyTheQuotaIsProvisioned()
    {
        const int Quota = 4;
        await using var server = await ControlPlaneServer.StartAsync(WithQuotas(new QuotaOptions { MaxPhoneNumbers = Quota }));

        var results = await BurstAsync([server], Attempts, "phone-number-orders", OrderJson);
        var (_, numbers) = await server.SendAsync(HttpMethod.Get, "phone-numbers");

        ExactlyWithinQuota(results, Quota, HttpStatusCode.Created);
        Assert.Equal(Quota, numbers.GetProperty("PhoneNumbers").GetArrayLength());
    }

    [Fact]
    public async Task CreatePhoneNumberOrder_DeletedNumbersStillCount_SoRestoreCannotPassTheQuota()
    {
        await using var server = await ControlPlaneServer.StartAsync(WithQuotas(new QuotaOptions { MaxPhoneNumbers = 1 }));
        var (first, _) = await server.SendAsync(HttpMethod.Post, "phone-number-orders", OrderJson(0));
        var (deleted, _) = await server.SendAsync(HttpMethod.Delete, "phone-numbers/%2B12065550100");

        var (second, secondBody) = await server.SendAsync(HttpMethod.Post, "phone-number-orders", OrderJson(1));
        var (restored, _) = await server.SendAsync(HttpMethod.Post, "phone-numbers/%2B12065550100?operation=restore");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        AwsAssert.Error(second, secondBody, HttpStatusCode.BadRequest, "ResourceLimitExceededException", "1 provisioned phone numbers");
        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
    }

    [Fact]
    public async Task CallRates_EachRegionHasItsOwnWindow_WhichRollsOverWithTheClock()
    {
        await using var server = await ControlPlaneServer.StartAsync(WithQuotas(new QuotaOptions { CreateCallsPerSecond = 1, UpdateCallsPerSecond = 2 }));
        var east = await CreateSmaAsync(server, "east", "us-east-1");
        var west = await CreateSmaAsync(server, "west", "us-west-2");

        var (eastFirst, eastBody) = await server.SendAsync(HttpMethod.Post, $"sip-media-applications/{east}/calls", CallJson);
        var (westFirst, _) = await server.SendAsync(HttpMethod.Post, $"sip-media-applications/{west}/calls", CallJson);
        var (eastSecond, eastSecondBody) = await server.SendAsync(HttpMethod.Post, $"sip-media-applications/{east}/calls", CallJson);
        var transaction = eastBody.GetProperty("SipMediaApplicationCall").GetProperty("TransactionId").GetString();
        var update = $"sip-media-applications/{east}/calls/{transaction}";
        var updates = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            updates.Add((await server.SendAsync(HttpMethod.Post, update, """{"Arguments":{"n":"1"}}""")).Response.StatusCode);
        }

        server.Time.Advance(TimeSpan.FromSeconds(1));
        var (eastNextSecond, _) = await server.SendAsync(HttpMethod.Post, $"sip-media-applications/{east}/calls", CallJson);
        var (updateNextSecond, _) = await server.SendAsync(HttpMethod.Post, update, """{"Arguments":{"n":"2"}}""");

        Assert.Equal(HttpStatusCode.Created, eastFirst.StatusCode);
        Assert.Equal(HttpStatusCode.Created, westFirst.StatusCode);
        Throttled(eastSecond, eastSecondBody);
        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests], updates);
        Assert.Equal(HttpStatusCode.Created, eastNextSecond.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, updateNextSecond.StatusCode);
    }
}
