using System.Net;
using System.Text;
using Microsoft.Extensions.Configuration;
using OpenSma.ControlPlane.Tests.Infrastructure;

namespace OpenSma.ControlPlane.Tests;

public sealed class ControlPlaneConfigurationTests
{
    private static IConfigurationSection Section(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build().GetSection("ControlPlane");

    private const string Configured = """
        { "ControlPlane": {
            "CacheReads": false,
            "VoiceConnectorHostSuffix": "trunks.example.net",
            "PhoneNumbers": {
              "OrderCompletionDelay": "00:02:00",
              "DeletionRetention": "1.00:00:00",
              "Pools": [ { "Country": "GB", "Type": "Local", "Prefix": "+44207946", "First": 0, "Count": 10, "Digits": 4, "AreaCode": "207", "City": "London" } ]
            },
            "Quotas": { "Enabled": true, "MaxSipMediaApplications": 1, "MaxPhoneNumbers": 3, "CreateCallsPerSecond": 2 }
        } }
        """;

    [Fact]
    public void Bind_AllSections_OverridesDefaultsAndKeepsTheRest()
    {
        var options = ControlPlaneConfiguration.Bind(new ControlPlaneOptions(), Section(Configured));

        Assert.False(options.CacheReads);
        Assert.Equal("trunks.example.net", options.VoiceConnectorHostSuffix);
        Assert.Equal(TimeSpan.FromMinutes(2), options.PhoneNumbers.OrderCompletionDelay);
        Assert.Equal(TimeSpan.FromDays(1), options.PhoneNumbers.DeletionRetention);
        Assert.Equal(new PhoneNumberPool("GB", "Local", "+44207946", 0, 10, 4, "207", "London"), Assert.Single(options.PhoneNumbers.Pools));
        Assert.True(options.Quotas.Enabled);
        Assert.Equal(1, options.Quotas.MaxSipMediaApplications);
        Assert.Equal(3, options.Quotas.MaxPhoneNumbers);
        Assert.Equal(2, options.Quotas.CreateCallsPerSecond);
        Assert.Equal(5, options.Quotas.UpdateCallsPerSecond);
        Assert.Equal(25, options.Quotas.MaxTargetApplicationsPerSipRule);
    }

    [Fact]
    public void Bind_EmptySection_KeepsDefaults()
    {
        var defaults = new ControlPlaneOptions();

        var options = ControlPlaneConfiguration.Bind(defaults, Section("""{ "ControlPlane": { "AwsRegion": "eu-west-1" } }"""));

        Assert.False(options.Quotas.Enabled);
        Assert.Null(options.CacheReads);
        Assert.Equal(TimeSpan.Zero, options.PhoneNumbers.OrderCompletionDelay);
        Assert.Same(PhoneNumberPool.Defaults, options.PhoneNumbers.Pools);
        Assert.Equal(defaults.VoiceConnectorHostSuffix, options.VoiceConnectorHostSuffix);
    }

    [Fact]
    public void Bind_CallConcurrencyQuotas_ReadAndAppliedOnlyWhenEnabled()
    {
        var on = ControlPlaneConfiguration.Bind(new ControlPlaneOptions(), Section("""
            { "ControlPlane": { "Quotas": { "Enabled": true, "MaxActiveCallsPerSipMediaApplication": 40,
                                            "VoiceConnectorCallsPerSecond": 3, "MaxVoiceConnectorConcurrentCalls": 200 } } }
            """));
        var off = ControlPlaneConfiguration.Bind(new ControlPlaneOptions(), Section("""
            { "ControlPlane": { "Quotas": { "MaxActiveCallsPerSipMediaApplication": 40 } } }
            """));
        var defaults = ControlPlaneConfiguration.Bind(new ControlPlaneOptions(), Section("""{ "ControlPlane": { "Quotas": { "Enabled": true } } }"""));

        Assert.Equal(40, on.Quotas.ActiveCallLimit);
        Assert.Equal(3, on.Quotas.VoiceConnectorCallRateLimit);
        Assert.Equal(200, on.Quotas.VoiceConnectorConcurrentCallLimit);
        Assert.Equal(40, off.Quotas.MaxActiveCallsPerSipMediaApplication);
        Assert.Null(off.Quotas.ActiveCallLimit);
        Assert.Null(off.Quotas.VoiceConnectorCallRateLimit);
        Assert.Null(off.Quotas.VoiceConnectorConcurrentCallLimit);
        // The AWS defaults of data-plane spec 9.4: 10 active SMA calls, 1 call/s per connector, 10 connector calls at once.
        Assert.Equal((10, 1, 10), (defaults.Quotas.ActiveCallLimit, defaults.Quotas.VoiceConnectorCallRateLimit, defaults.Quotas.VoiceConnectorConcurrentCallLimit));
    }

    [Theory]
    [InlineData("""{"Quotas":{"MaxActiveCallsPerSipMediaApplication":0}}""", "ControlPlane:Quotas:MaxActiveCallsPerSipMediaApplication")]
    [InlineData("""{"Quotas":{"VoiceConnectorCallsPerSecond":"fast"}}""", "ControlPlane:Quotas:VoiceConnectorCallsPerSecond")]
    [InlineData("""{"Quotas":{"MaxVoiceConnectorConcurrentCalls":-1}}""", "ControlPlane:Quotas:MaxVoiceConnectorConcurrentCalls")]
    [InlineData("""{"Quotas":{"Enabled":"sometimes"}}""", "ControlPlane:Quotas:Enabled")]
    [InlineData("""{"Quotas":{"MaxTargetApplicationsPerSipRule":26}}""", "ControlPlane:Quotas:MaxTargetApplicationsPerSipRule")]
    [InlineData("""{"Quotas":{"CreateCallsPerSecond":0}}""", "ControlPlane:Quotas:CreateCallsPerSecond")]
    [InlineData("""{"PhoneNumbers":{"OrderCompletionDelay":"soon"}}""", "ControlPlane:PhoneNumbers:OrderCompletionDelay")]
    [InlineData("""{"PhoneNumbers":{"Pools":[{"Country":"USA","Type":"Local","Prefix":"+1206","Count":1,"Digits":4,"AreaCode":"206"}]}}""", "ControlPlane:PhoneNumbers:Pools:0:Country")]
    [InlineData("""{"PhoneNumbers":{"Pools":[{"Country":"US","Type":"Mobile","Prefix":"+1206","Count":1,"Digits":4,"AreaCode":"206"}]}}""", "ControlPlane:PhoneNumbers:Pools:0:Type")]
    [InlineData("""{"PhoneNumbers":{"Pools":[{"Country":"US","Type":"Local","Prefix":"1206","Count":1,"Digits":4,"AreaCode":"206"}]}}""", "ControlPlane:PhoneNumbers:Pools:0:Prefix")]
    [InlineData("""{"PhoneNumbers":{"Pools":[{"Country":"US","Type":"Local","Prefix":"+1206555","First":9990,"Count":20,"Digits":4,"AreaCode":"206"}]}}""", "ControlPlane:PhoneNumbers:Pools:0:Count")]
    [InlineData("""{"PhoneNumbers":{"Pools":[{"Country":"US","Type":"Local","Prefix":"+1206555","Count":1,"Digits":9,"AreaCode":"206"}]}}""", "ControlPlane:PhoneNumbers:Pools:0:Digits")]
    [InlineData("""{"PhoneNumbers":{"Pools":[{"Country":"US","Type":"Local","Prefix":"+1206555","Count":1,"Digits":4}]}}""", "ControlPlane:PhoneNumbers:Pools:0:AreaCode")]
    [InlineData("""{"VoiceConnectorHostSuffix":"not a host"}""", "ControlPlane:VoiceConnectorHostSuffix")]
    public void Bind_BadValue_FailsNamingTheKey(string controlPlane, string key)
    {
        var ex = Assert.Throws<InvalidOperationException>(() =>
            ControlPlaneConfiguration.Bind(new ControlPlaneOptions(), Section($$"""{ "ControlPlane": {{controlPlane}} }""")));

        Assert.StartsWith(key + " ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddOpenSmaControlPlane_SqliteByDefault_CachesReadsUnlessTurnedOff()
    {
        await using var cached = await ControlPlaneServer.StartAsync();
        await using var uncached = await ControlPlaneServer.StartAsync(o => o with { CacheReads = false });

        Assert.IsType<OpenSma.Storage.Resources.CachedResourceStore>(cached.Store);
        Assert.IsNotType<OpenSma.Storage.Resources.CachedResourceStore>(uncached.Store);
    }

    [Fact]
    public async Task Bind_ServedOptions_PoolsDelayAndQuotasApplyOverHttp()
    {
        var section = Section(Configured);
        await using var server = await ControlPlaneServer.StartAsync(o => ControlPlaneConfiguration.Bind(o, section));

        var (_, search) = await server.SendAsync(HttpMethod.Get, "search?type=phone-numbers&country=GB&max-results=2");
        var (_, order) = await server.SendAsync(HttpMethod.Post, "phone-number-orders",
            """{"ProductType":"SipMediaApplicationDialIn","E164PhoneNumbers":["+442079460000"]}""");
        var (_, pending) = await server.SendAsync(HttpMethod.Get, "phone-number-orders");
        server.Time.Advance(TimeSpan.FromMinutes(2));
        var (_, completed) = await server.SendAsync(HttpMethod.Get, "phone-number-orders");
        var (tooMany, tooManyBody) = await server.SendAsync(HttpMethod.Post, "phone-number-orders",
            """{"ProductType":"SipMediaApplicationDialIn","E164PhoneNumbers":["+442079460001","+442079460002","+442079460003"]}""");
        const string Sma = """{"AwsRegion":"us-east-1","Name":"{0}","Endpoints":[{"LambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:f"}]}""";
        var (first, _) = await server.SendAsync(HttpMethod.Post, "sip-media-applications", Sma.Replace("{0}", "one", StringComparison.Ordinal));
        var (second, secondBody) = await server.SendAsync(HttpMethod.Post, "sip-media-applications", Sma.Replace("{0}", "two", StringComparison.Ordinal));
        var (_, vc) = await server.SendAsync(HttpMethod.Post, "voice-connectors", """{"Name":"trunk","RequireEncryption":false}""");

        Assert.Equal(
            new[] { "+442079460000", "+442079460001" },
            search.GetProperty("E164PhoneNumbers").EnumerateArray().Select(e => e.GetString()).ToArray());
        Assert.Equal("Processing", order.GetProperty("PhoneNumberOrder").GetProperty("Status").GetString());
        Assert.Equal("Processing", pending.GetProperty("PhoneNumberOrders")[0].GetProperty("Status").GetString());
        Assert.Equal("Successful", completed.GetProperty("PhoneNumberOrders")[0].GetProperty("Status").GetString());
        AwsAssert.Error(tooMany, tooManyBody, HttpStatusCode.BadRequest, "ResourceLimitExceededException", "3 provisioned phone numbers");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        AwsAssert.Error(second, secondBody, HttpStatusCode.BadRequest, "ResourceLimitExceededException", "1 SIP media applications");
        Assert.EndsWith(".trunks.example.net", vc.GetProperty("VoiceConnector").GetProperty("OutboundHostName").GetString(), StringComparison.Ordinal);
    }
}
