using System.Net;
using System.Text.Json;
using OpenSma.ControlPlane.Tests.Infrastructure;

namespace OpenSma.ControlPlane.Tests.Endpoints;

public sealed class PhoneNumberEndpointsTests : IAsyncLifetime
{
    private ControlPlaneServer _server = null!;

    public async Task InitializeAsync() => _server = await ControlPlaneServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string[] Numbers(JsonElement body, string property) =>
        body.GetProperty(property).EnumerateArray().Select(e => e.GetString()!).ToArray();

    private async Task OrderAsync(ControlPlaneServer server, params string[] numbers)
    {
        var (response, _) = await server.SendAsync(HttpMethod.Post, "phone-number-orders",
            JsonSerializer.Serialize(new { ProductType = "SipMediaApplicationDialIn", E164PhoneNumbers = numbers }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Search_ByAreaCode_ReturnsRealisticNumbersAndPages()
    {
        var (response, page1) = await _server.SendAsync(HttpMethod.Get, "search?area-code=206&country=US&max-results=5&phone-number-type=Local&type=phone-numbers");
        var token = page1.GetProperty("NextToken").GetString();
        var (_, page2) = await _server.SendAsync(HttpMethod.Get, $"search?type=phone-numbers&area-code=206&max-results=5&next-token={token}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["+12065550100", "+12065550101", "+12065550102", "+12065550103", "+12065550104"], Numbers(page1, "E164PhoneNumbers"));
        Assert.Equal("+12065550105", Numbers(page2, "E164PhoneNumbers")[0]);
    }

    [Theory]
    [InlineData("search?type=phone-numbers&toll-free-prefix=866&max-results=2", "+18665550100")]
    [InlineData("search?type=phone-numbers&city=chicago&state=IL&max-results=2", "+13125550100")]
    public async Task Search_ByTollFreePrefixOrCity_MatchesThePool(string query, string first)
    {
        var (_, body) = await _server.SendAsync(HttpMethod.Get, query);

        Assert.Equal(first, Numbers(body, "E164PhoneNumbers")[0]);
    }

    [Theory]
    [InlineData("search?type=phone-numbers&country=usa", "country")]
    [InlineData("search?type=phone-numbers&toll-free-prefix=899", "toll-free-prefix")]
    [InlineData("search?type=phone-numbers&max-results=501", "max-results")]
    [InlineData("search?type=phone-numbers&phone-number-type=Mobile", "phone-number-type")]
    public async Task Search_InvalidQuery_IsBadRequest(string query, string field)
    {
        var (response, body) = await _server.SendAsync(HttpMethod.Get, query);

        AwsAssert.Error(response, body, HttpStatusCode.BadRequest, "BadRequestException", field);
    }

    [Fact]
    public async Task Order_Immediate_AcquiresNumbersAndSearchNoLongerOffersThem()
    {
        var (created, order) = await _server.SendAsync(HttpMethod.Post, "phone-number-orders",
            """{"ProductType":"SipMediaApplicationDialIn","E164PhoneNumbers":["+12065550100","+19995550100"],"Name":"main line"}""");
        var orderId = order.GetProperty("PhoneNumberOrder").GetProperty("PhoneNumberOrderId").GetString();
        var (_, fetched) = await _server.SendAsync(HttpMethod.Get, $"phone-number-orders/{orderId}");
        var (_, search) = await _server.SendAsync(HttpMethod.Get, "search?type=phone-numbers&area-code=206&max-results=1");
        var (_, number) = await _server.SendAsync(HttpMethod.Get, "phone-numbers/%2B12065550100");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var o = fetched.GetProperty("PhoneNumberOrder");
        Assert.Equal("Partial", o.GetProperty("Status").GetString());
        Assert.Equal("New", o.GetProperty("OrderType").GetString());
        Assert.Equal(["Acquired", "Failed"], o.GetProperty("OrderedPhoneNumbers").EnumerateArray().Select(n => n.GetProperty("Status").GetString()));
        Assert.Equal(["+12065550101"], Numbers(search, "E164PhoneNumbers"));
        var n = number.GetProperty("PhoneNumber");
        Assert.Equal("Unassigned", n.GetProperty("Status").GetString());
        Assert.Equal("Local", n.GetProperty("Type").GetString());
        Assert.Equal("US", n.GetProperty("Country").GetString());
        Assert.Equal("main line", n.GetProperty("Name").GetString());
        Assert.Equal(orderId, n.GetProperty("OrderId").GetString());
    }

    [Fact]
    public async Task Order_WithDelay_CompletesWhenTheClockPassesIt()
    {
        await using var server = await ControlPlaneServer.StartAsync(o => o with { PhoneNumbers = new PhoneNumberOptions { OrderCompletionDelay = TimeSpan.FromMinutes(2) } });
        await OrderAsync(server, "+14155550100");

        var (_, before) = await server.SendAsync(HttpMethod.Get, "phone-number-orders");
        var (_, numberBefore) = await server.SendAsync(HttpMethod.Get, "phone-numbers/%2B14155550100");
        server.Time.Advance(TimeSpan.FromMinutes(2));
        var (_, after) = await server.SendAsync(HttpMethod.Get, "phone-number-orders");
        var (_, numberAfter) = await server.SendAsync(HttpMethod.Get, "phone-numbers/%2B14155550100");

        Assert.Equal("Processing", before.GetProperty("PhoneNumberOrders")[0].GetProperty("Status").GetString());
        Assert.Equal("AcquireInProgress", numberBefore.GetProperty("PhoneNumber").GetProperty("Status").GetString());
        Assert.Equal("Successful", after.GetProperty("PhoneNumberOrders")[0].GetProperty("Status").GetString());
        Assert.Equal("Unassigned", numberAfter.GetProperty("PhoneNumber").GetProperty("Status").GetString());
    }

    [Fact]
    public async Task DeleteRestore_Lifecycle_FollowsDeletionQueue()
    {
        await OrderAsync(_server, "+12125550100", "+12125550101");

        var (deleted, _) = await _server.SendAsync(HttpMethod.Delete, "phone-numbers/%2B12125550100");
        var (_, queued) = await _server.SendAsync(HttpMethod.Get, "phone-numbers/%2B12125550100");
        var (again, againBody) = await _server.SendAsync(HttpMethod.Delete, "phone-numbers/%2B12125550100");
        var (restored, restoredBody) = await _server.SendAsync(HttpMethod.Post, "phone-numbers/%2B12125550100?operation=restore");
        await _server.SendAsync(HttpMethod.Delete, "phone-numbers/%2B12125550101");
        _server.Time.Advance(TimeSpan.FromDays(7));
        var (gone, goneBody) = await _server.SendAsync(HttpMethod.Get, "phone-numbers/%2B12125550101");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal("DeleteInProgress", queued.GetProperty("PhoneNumber").GetProperty("Status").GetString());
        Assert.Equal("2026-11-24T03:00:00.000Z", queued.GetProperty("PhoneNumber").GetProperty("DeletionTimestamp").GetString());
        AwsAssert.Error(again, againBody, HttpStatusCode.BadRequest, "BadRequestException", "deletion queue");
        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        Assert.Equal("Unassigned", restoredBody.GetProperty("PhoneNumber").GetProperty("Status").GetString());
        Assert.False(restoredBody.GetProperty("PhoneNumber").TryGetProperty("DeletionTimestamp", out _));
        AwsAssert.Error(gone, goneBody, HttpStatusCode.NotFound, "NotFoundException");
    }

    [Fact]
    public async Task UpdateAndBatch_ReportPerItemErrors()
    {
        await OrderAsync(_server, "+12065550110", "+12065550111");

        var (update, updated) = await _server.SendAsync(HttpMethod.Post, "phone-numbers/%2B12065550110",
            """{"CallingName":"Front Desk","ProductType":"VoiceConnector"}""");
        var (badUpdate, badBody) = await _server.SendAsync(HttpMethod.Post, "phone-numbers/%2B12065550110", """{"CallingName":"!"}""");
        var (batch, batchBody) = await _server.SendAsync(HttpMethod.Post, "phone-numbers?operation=batch-update",
            """{"UpdatePhoneNumberRequestItems":[{"PhoneNumberId":"+12065550111","Name":"main line"},{"PhoneNumberId":"+12065559999","Name":"x"}]}""");
        var (dup, dupBody) = await _server.SendAsync(HttpMethod.Post, "phone-numbers?operation=batch-delete",
            """{"PhoneNumberIds":["+12065550110","+12065550110"]}""");
        var (batchDelete, batchDeleteBody) = await _server.SendAsync(HttpMethod.Post, "phone-numbers?operation=batch-delete",
            """{"PhoneNumberIds":["+12065550110","+12065559998"]}""");
        var (_, list) = await _server.SendAsync(HttpMethod.Get, "phone-numbers?status=DeleteInProgress");

        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        Assert.Equal("Front Desk", updated.GetProperty("PhoneNumber").GetProperty("CallingName").GetString());
        Assert.Equal("VoiceConnector", updated.GetProperty("PhoneNumber").GetProperty("ProductType").GetString());
        AwsAssert.Error(badUpdate, badBody, HttpStatusCode.BadRequest, "BadRequestException", "CallingName");
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        var error = Assert.Single(batchBody.GetProperty("PhoneNumberErrors").EnumerateArray());
        Assert.Equal("+12065559999", error.GetProperty("PhoneNumberId").GetString());
        Assert.Equal("NotFound", error.GetProperty("ErrorCode").GetString());
        AwsAssert.Error(dup, dupBody, HttpStatusCode.BadRequest, "BadRequestException", "PhoneNumberIds");
        Assert.Equal(HttpStatusCode.OK, batchDelete.StatusCode);
        Assert.Equal("+12065559998", Assert.Single(batchDeleteBody.GetProperty("PhoneNumberErrors").EnumerateArray()).GetProperty("PhoneNumberId").GetString());
        Assert.Equal(["+12065550110"], list.GetProperty("PhoneNumbers").EnumerateArray().Select(n => n.GetProperty("PhoneNumberId").GetString()));
    }

    [Fact]
    public async Task SipRule_OnOwnedNumber_AssociatesAndBlocksDeletion()
    {
        await OrderAsync(_server, "+12065550120");
        var (_, sma) = await _server.SendAsync(HttpMethod.Post, "sip-media-applications",
            """{"AwsRegion":"us-east-1","Name":"s","Endpoints":[{"LambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:f"}]}""");
        var smaId = sma.GetProperty("SipMediaApplication").GetProperty("SipMediaApplicationId").GetString();
        var (_, rule) = await _server.SendAsync(HttpMethod.Post, "sip-rules",
            $$"""{"Name":"r","TriggerType":"ToPhoneNumber","TriggerValue":"+12065550120","TargetApplications":[{"SipMediaApplicationId":"{{smaId}}","Priority":1,"AwsRegion":"us-east-1"}]}""");
        var ruleId = rule.GetProperty("SipRule").GetProperty("SipRuleId").GetString();

        var (_, filtered) = await _server.SendAsync(HttpMethod.Get, $"phone-numbers?filter-name=SipRuleId&filter-value={ruleId}");
        var (delete, deleteBody) = await _server.SendAsync(HttpMethod.Delete, "phone-numbers/%2B12065550120");

        var number = Assert.Single(filtered.GetProperty("PhoneNumbers").EnumerateArray());
        Assert.Equal("Assigned", number.GetProperty("Status").GetString());
        Assert.Equal(ruleId, number.GetProperty("Associations")[0].GetProperty("Value").GetString());
        AwsAssert.Error(delete, deleteBody, HttpStatusCode.BadRequest, "BadRequestException", "disassociate");
    }

    [Fact]
    public async Task SettingsAndCountries_RoundTrip()
    {
        var (put, _) = await _server.SendAsync(HttpMethod.Put, "settings/phone-number", """{"CallingName":"OpenSMA"}""");
        var (_, settings) = await _server.SendAsync(HttpMethod.Get, "settings/phone-number");
        var (_, countries) = await _server.SendAsync(HttpMethod.Get, "phone-number-countries?product-type=SipMediaApplicationDialIn");
        var (missing, missingBody) = await _server.SendAsync(HttpMethod.Get, "phone-number-countries");

        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        Assert.Equal("OpenSMA", settings.GetProperty("CallingName").GetString());
        Assert.Equal("2026-11-24T03:00:00.000Z", settings.GetProperty("CallingNameUpdatedTimestamp").GetString());
        var us = Assert.Single(countries.GetProperty("PhoneNumberCountries").EnumerateArray());
        Assert.Equal("US", us.GetProperty("CountryCode").GetString());
        Assert.Equal(["Local", "TollFree"], us.GetProperty("SupportedPhoneNumberTypes").EnumerateArray().Select(t => t.GetString()));
        AwsAssert.Error(missing, missingBody, HttpStatusCode.BadRequest, "BadRequestException", "product-type");
    }

    [Fact]
    public async Task Order_QuotaEnabled_RejectsBeyondProvisionedLimit()
    {
        await using var server = await ControlPlaneServer.StartAsync(o => o with { Quotas = new QuotaOptions { Enabled = true, MaxPhoneNumbers = 1 } });

        var (response, body) = await server.SendAsync(HttpMethod.Post, "phone-number-orders",
            """{"ProductType":"SipMediaApplicationDialIn","E164PhoneNumbers":["+12065550100","+12065550101"]}""");

        AwsAssert.Error(response, body, HttpStatusCode.BadRequest, "ResourceLimitExceededException");
    }
}
