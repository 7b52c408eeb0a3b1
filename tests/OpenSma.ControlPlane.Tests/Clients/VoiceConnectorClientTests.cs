using OpenSma.ControlPlane.Tests.Infrastructure;

namespace OpenSma.ControlPlane.Tests.Clients;

public sealed class VoiceConnectorClientTests
{
    [Fact]
    public async Task Boto3_VoiceConnectorLifecycle_Works()
    {
        await using var server = await ControlPlaneServer.StartAsync(o => o with { VoiceConnectorHostSuffix = "vc.test.example" });

        var json = (await ClientProcess.RunAsync("python3", ["clients/voice_connectors.py", server.BaseAddress.ToString().TrimEnd('/')])).Json();

        Assert.Matches("^[a-z0-9]{22}\\.vc\\.test\\.example$", json.GetProperty("outboundHost").GetString());
        Assert.StartsWith("arn:aws:chime:us-west-2:123456789012:vc/", json.GetProperty("arn").GetString(), StringComparison.Ordinal);
        Assert.Equal("carrier-b", json.GetProperty("renamed").GetString());
        Assert.Equal(1, json.GetProperty("listed").GetArrayLength());
        var termination = json.GetProperty("termination");
        Assert.Equal(2, termination.GetProperty("CpsLimit").GetInt32());
        Assert.Equal("203.0.113.0/24", termination.GetProperty("CidrAllowedList")[0].GetString());
        Assert.True(json.GetProperty("health").GetBoolean());
        Assert.Equal(["pbx2"], json.GetProperty("usernames").EnumerateArray().Select(u => u.GetString()));
        Assert.Equal("BadRequestException", json.GetProperty("badCidr").GetString());
        Assert.Equal("pbx.example.com", json.GetProperty("originationHost").GetString());
        Assert.Equal("NotFoundException", json.GetProperty("originationAfterDelete").GetString());
        Assert.True(json.GetProperty("sipLogs").GetBoolean());
        Assert.Equal(24, json.GetProperty("retention").GetInt32());
        Assert.Equal("+12065550911", json.GetProperty("dnis").GetString());
        Assert.Equal(["RIBBON_SBC"], json.GetProperty("sbc").EnumerateArray().Select(s => s.GetString()));
        Assert.All(json.GetProperty("configsAfterDelete").EnumerateArray(), c => Assert.Equal("NotFoundException", c.GetString()));
        Assert.Equal("NotFoundException", json.GetProperty("terminationAfterDelete").GetString());
        var associateError = Assert.Single(json.GetProperty("associateErrors").EnumerateArray());
        Assert.Equal("NotFound", associateError.GetProperty("ErrorCode").GetString());
        Assert.Equal(1, json.GetProperty("vcNumbers").GetArrayLength());
        Assert.Equal("ConflictException", json.GetProperty("deleteWithNumbers").GetString());
        Assert.Equal(0, json.GetProperty("groupAssociate").GetArrayLength());
        Assert.Equal("Assigned", json.GetProperty("groupNumberStatus").GetString());
        Assert.Equal("ConflictException", json.GetProperty("deleteInGroup").GetString());
        Assert.Equal("failover-2", json.GetProperty("groupName").GetString());
        Assert.Equal(1, json.GetProperty("groups").GetInt32());
        Assert.Contains("us-east-1", json.GetProperty("regions").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("cdr-bucket", json.GetProperty("cdrBucket").GetString());
        Assert.Equal("env", json.GetProperty("tags")[0].GetProperty("Key").GetString());
        Assert.Equal("NotFoundException", json.GetProperty("afterDelete").GetString());
        Assert.Equal("BadRequestException", json.GetProperty("missingName").GetString());
    }
}
