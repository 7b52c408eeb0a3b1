using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using OpenSma.ControlPlane.Tests.Infrastructure;

namespace OpenSma.ControlPlane.Tests.Clients;

/// <summary>
/// The real SDKs against a real server: boto3 and the JS SDK sign with a configured key pair
/// and the server runs SigV4 in strict mode, so every signature they send is verified.
/// </summary>
public sealed class SdkClientTests
{
    private static Func<ControlPlaneOptions, ControlPlaneOptions> Strict => o => o with
    {
        SigV4 = new SigV4Options
        {
            Mode = SigV4Mode.Strict,
            Credentials = new Dictionary<string, string> { ["AKIDOPENSMATEST"] = "opensma-test-secret" },
        },
    };

    // Strict mode compares X-Amz-Date with the server clock, so the fake clock starts at real time.
    private static FakeTimeProvider RealNow() => new(TimeProvider.System.GetUtcNow());

    [Fact]
    public async Task Boto3_FullLifecycle_StrictSigV4_Works()
    {
        await using var server = await ControlPlaneServer.StartAsync(Strict, time: RealNow());

        var result = await ClientProcess.RunAsync("python3", ["clients/lifecycle.py", server.BaseAddress.ToString().TrimEnd('/')]);
        var json = result.Json();

        AssertLifecycle(json, server, "+1212555", "Bob", "transfer");
        Assert.True(json.GetProperty("createdIsDatetime").GetBoolean());
        Assert.True(json.GetProperty("logs").GetBoolean());
        Assert.Equal(1, json.GetProperty("rulesForSma").GetInt32());
        Assert.Equal("NotFoundException", json.GetProperty("notFound").GetString());
        Assert.StartsWith("BadRequestException:Name", json.GetProperty("badRequest").GetString(), StringComparison.Ordinal);
        Assert.Equal("Unassigned", json.GetProperty("restored").GetString());
        Assert.Equal("boto3", server.Calls.Created.Single().SipHeaders!["X-Client"]);
    }

    [Fact]
    public async Task JsSdk_FullLifecycle_StrictSigV4_Works()
    {
        await using var server = await ControlPlaneServer.StartAsync(Strict, time: RealNow());

        var result = await ClientProcess.RunAsync("node", ["js/lifecycle.mjs", server.BaseAddress.ToString().TrimEnd('/')]);
        var json = result.Json();

        AssertLifecycle(json, server, "+1425555", "Alice", "hangup");
        Assert.True(json.GetProperty("orderCreatedIsDate").GetBoolean());
        Assert.Equal(["client=js", "team=voice"], json.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(1, json.GetProperty("smaCount").GetInt32());
        Assert.Equal("NotFoundException:NotFound", json.GetProperty("notFound").GetString());
        Assert.StartsWith("BadRequestException:ToPhoneNumber is required", json.GetProperty("badRequest").GetString(), StringComparison.Ordinal);
        Assert.Equal("NotFoundException", json.GetProperty("deleted").GetString());
    }

    [Fact]
    public async Task LegacyChimeJsClient_CallRoutes_ReachTheEngine()
    {
        await using var server = await ControlPlaneServer.StartAsync();
        var (_, sma) = await server.SendAsync(HttpMethod.Post, "sip-media-applications",
            """{"AwsRegion":"us-east-1","Name":"legacy","Endpoints":[{"LambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:legacy"}]}""");
        var smaId = sma.GetProperty("SipMediaApplication").GetProperty("SipMediaApplicationId").GetString()!;

        var json = (await ClientProcess.RunAsync("node", ["js/legacy-chime.mjs", server.BaseAddress.ToString().TrimEnd('/'), smaId])).Json();

        var created = Assert.Single(server.Calls.Created);
        Assert.Equal(smaId, created.Application.SipMediaApplicationId);
        Assert.Equal("+12065550142", created.ToPhoneNumber);
        Assert.Equal("legacy", created.SipHeaders!["X-Source"]);
        Assert.Null(created.ArgumentsMap);
        Assert.Equal(json.GetProperty("transactionId").GetString(), json.GetProperty("updated").GetString());
        Assert.Contains(server.Calls.Updated, u => u.Arguments.TryGetValue("step", out var v) && v == "two");
        Assert.Equal("NotFoundException", json.GetProperty("notFound").GetString());
    }

    [Fact]
    public async Task Boto3_StrictSigV4_WrongSecretOrUnknownKey_IsRejected()
    {
        await using var server = await ControlPlaneServer.StartAsync(Strict, time: RealNow());
        var endpoint = server.BaseAddress.ToString().TrimEnd('/');

        var good = (await ClientProcess.RunAsync("python3", ["clients/signature.py", endpoint, "AKIDOPENSMATEST", "opensma-test-secret"])).Json();
        var wrongSecret = (await ClientProcess.RunAsync("python3", ["clients/signature.py", endpoint, "AKIDOPENSMATEST", "not-the-secret"])).Json();
        var unknownKey = (await ClientProcess.RunAsync("python3", ["clients/signature.py", endpoint, "AKIDUNKNOWN", "opensma-test-secret"])).Json();

        // A correct signature on a %2B path reaches the operation (the number is simply not owned).
        Assert.Equal("NotFoundException", good.GetProperty("getPhoneNumber").GetString());
        Assert.Equal("ok", good.GetProperty("listSearch").GetString());
        Assert.Equal("ok", good.GetProperty("createSma").GetString());
        foreach (var name in new[] { "getPhoneNumber", "listSearch", "createSma" })
        {
            Assert.Equal("InvalidSignatureException", wrongSecret.GetProperty(name).GetString());
            Assert.Equal("UnrecognizedClientException", unknownKey.GetProperty(name).GetString());
        }

        Assert.Single(await server.Store.ListAsync<OpenSma.Storage.Resources.SipMediaApplication>(0, 10, CancellationToken.None));
    }

    internal static void AssertLifecycle(JsonElement json, ControlPlaneServer server, string prefix, string callerName, string action)
    {
        var searched = json.GetProperty("searched").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(2, searched.Length);
        Assert.All(searched, n => Assert.StartsWith(prefix, n, StringComparison.Ordinal));
        Assert.Equal("Successful", json.GetProperty("orderStatus").GetString());
        Assert.Equal(searched, json.GetProperty("listed").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal("Unassigned", json.GetProperty("numberStatus").GetString());
        Assert.EndsWith("-renamed", json.GetProperty("smaName").GetString(), StringComparison.Ordinal);
        Assert.True(json.GetProperty("ruleDisabled").GetBoolean());

        var created = Assert.Single(server.Calls.Created);
        Assert.Equal(json.GetProperty("smaId").GetString(), created.Application.SipMediaApplicationId);
        Assert.Equal(searched[0], created.FromPhoneNumber);
        Assert.Equal(callerName, created.ArgumentsMap!["CallerName"]);
        Assert.Equal("123456789012", created.Application.AwsAccountId);
        Assert.StartsWith("arn:aws:lambda:us-east-1:123456789012:function:", created.Application.Endpoint, StringComparison.Ordinal);
        var update = Assert.Single(server.Calls.Updated);
        Assert.Equal(json.GetProperty("transactionId").GetString(), update.TransactionId);
        Assert.Equal(json.GetProperty("transactionId").GetString(), json.GetProperty("updatedTransactionId").GetString());
        Assert.Equal(action, update.Arguments["action"]);
    }
}
