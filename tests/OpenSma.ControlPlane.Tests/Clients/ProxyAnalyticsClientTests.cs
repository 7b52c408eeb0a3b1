using Microsoft.Extensions.Time.Testing;
using OpenSma.ControlPlane.Tests.Infrastructure;

namespace OpenSma.ControlPlane.Tests.Clients;

/// <summary>Proxy sessions, voice profile domains and the AWS-only analytics and E911 operations
/// through boto3, the JS SDK and the AWS CLI, with strict SigV4 for the SDKs.</summary>
public sealed class ProxyAnalyticsClientTests
{
    private static Func<ControlPlaneOptions, ControlPlaneOptions> Strict => o => o with
    {
        SigV4 = new SigV4Options
        {
            Mode = SigV4Mode.Strict,
            Credentials = new Dictionary<string, string> { ["AKIDOPENSMATEST"] = "opensma-test-secret" },
        },
    };

    private static FakeTimeProvider RealNow() => new(TimeProvider.System.GetUtcNow());

    [Fact]
    public async Task Boto3_ProxyAndAnalyticsOperations_Work()
    {
        await using var server = await ControlPlaneServer.StartAsync(Strict, time: RealNow());

        var json = (await ClientProcess.RunAsync("python3", ["clients/proxy_analytics.py", server.BaseAddress.ToString().TrimEnd('/')])).Json();

        var proxy = json.GetProperty("proxy");
        Assert.Equal(60, proxy.GetProperty("DefaultSessionExpiryMinutes").GetInt32());
        Assert.Equal("+12065550199", proxy.GetProperty("FallBackPhoneNumber").GetString());
        Assert.Equal("Open", json.GetProperty("sessionStatus").GetString());
        Assert.All(json.GetProperty("proxyNumbers").EnumerateArray(), n => Assert.StartsWith("+120655501", n.GetString(), StringComparison.Ordinal));
        Assert.True(json.GetProperty("createdIsDatetime").GetBoolean());
        Assert.Equal(["Voice", "SMS"], json.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(1, json.GetProperty("listed").GetInt32());
        Assert.Equal("NotFoundException", json.GetProperty("sessionAfterDelete").GetString());
        Assert.Equal("BadRequestException", json.GetProperty("badSession").GetString());
        Assert.Equal("NotFoundException", json.GetProperty("proxyAfterDelete").GetString());
        Assert.StartsWith("arn:aws:chime:us-east-1:123456789012:voice-profile-domain/", json.GetProperty("domainArn").GetString(), StringComparison.Ordinal);
        Assert.Equal("known callers", json.GetProperty("domainDescription").GetString());
        Assert.Equal(1, json.GetProperty("domains").GetInt32());
        Assert.Equal(0, json.GetProperty("profiles").GetInt32());
        Assert.Equal("BadRequestException", json.GetProperty("speakerSearch").GetString());
        Assert.Equal("BadRequestException", json.GetProperty("voiceTone").GetString());
        Assert.Equal("NotFoundException", json.GetProperty("getTask").GetString());
        Assert.Equal("NotFoundException", json.GetProperty("createProfile").GetString());
        Assert.Equal("BadRequestException", json.GetProperty("e911").GetString());
        Assert.Equal("NotFoundException", json.GetProperty("domainAfterDelete").GetString());
    }

    [Fact]
    public async Task JsSdk_ProxyAndAnalyticsOperations_Work()
    {
        await using var server = await ControlPlaneServer.StartAsync(Strict, time: RealNow());

        var json = (await ClientProcess.RunAsync("node", ["js/proxy-analytics.mjs", server.BaseAddress.ToString().TrimEnd('/')])).Json();

        Assert.Equal("NotFoundException:NotFoundException", json.GetProperty("proxyBefore").GetString());
        Assert.Equal("Open", json.GetProperty("sessionStatus").GetString());
        Assert.True(json.GetProperty("createdIsDate").GetBoolean());
        Assert.All(json.GetProperty("proxyNumbers").EnumerateArray(), n => Assert.StartsWith("+141555501", n.GetString(), StringComparison.Ordinal));
        Assert.Equal(1, json.GetProperty("listed").GetInt32());
        Assert.Equal("BadRequestException:BadRequestException", json.GetProperty("missingParticipants").GetString());
        Assert.Equal("js-domain", json.GetProperty("domainName").GetString());
        Assert.Equal("arn:aws:kms:us-east-1:123456789012:key/abcd", json.GetProperty("kms").GetString());
        Assert.Equal(0, json.GetProperty("profiles").GetInt32());
        Assert.Equal("BadRequestException:BadRequestException", json.GetProperty("speakerSearch").GetString());
        Assert.Equal("NotFoundException:NotFoundException", json.GetProperty("getTask").GetString());
    }
}
