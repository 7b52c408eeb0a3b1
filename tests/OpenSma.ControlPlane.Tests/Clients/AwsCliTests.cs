using System.Text.Json;
using OpenSma.ControlPlane.Tests.Infrastructure;

namespace OpenSma.ControlPlane.Tests.Clients;

/// <summary>The AWS CLI (<c>aws chime-sdk-voice … --endpoint-url</c>) against a real server in dev SigV4 mode.</summary>
public sealed class AwsCliTests : IAsyncLifetime
{
    private ControlPlaneServer _server = null!;

    public async Task InitializeAsync() => _server = await ControlPlaneServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    // The CLI's own launcher when it is on PATH, else the same CLI as a Python module.
    private static readonly bool AwsOnPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Any(dir => File.Exists(Path.Combine(dir, "aws")));

    private Task<ClientProcess.Result> AwsAsync(params string[] arguments)
    {
        string[] cli = ["chime-sdk-voice", .. arguments, "--endpoint-url", _server.BaseAddress.ToString().TrimEnd('/'), "--output", "json"];
        return AwsOnPath ? ClientProcess.RunAsync("aws", cli) : ClientProcess.RunAsync("python3", ["-m", "awscli", .. cli]);
    }

    private async Task<JsonElement> AwsJsonAsync(params string[] arguments) => (await AwsAsync(arguments)).Json();

    [Fact]
    public async Task AwsCli_FullLifecycle_Works()
    {
        var search = await AwsJsonAsync("search-available-phone-numbers", "--area-code", "312", "--country", "US", "--max-results", "2");
        var numbers = search.GetProperty("E164PhoneNumbers").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var order = await AwsJsonAsync("create-phone-number-order", "--product-type", "SipMediaApplicationDialIn", "--e164-phone-numbers", numbers[0], numbers[1]);
        var listed = await AwsJsonAsync("list-phone-numbers");
        var number = await AwsJsonAsync("get-phone-number", "--phone-number-id", numbers[0]);

        var sma = await AwsJsonAsync("create-sip-media-application", "--aws-region", "us-east-1", "--name", "cli-sma",
            "--endpoints", "LambdaArn=arn:aws:lambda:us-east-1:123456789012:function:cli-handler");
        var smaId = sma.GetProperty("SipMediaApplication").GetProperty("SipMediaApplicationId").GetString()!;
        var rule = await AwsJsonAsync("create-sip-rule", "--name", "cli-rule", "--trigger-type", "ToPhoneNumber", "--trigger-value", numbers[0],
            "--target-applications", $"SipMediaApplicationId={smaId},Priority=1,AwsRegion=us-east-1");
        var ruleId = rule.GetProperty("SipRule").GetProperty("SipRuleId").GetString()!;
        var renamed = await AwsJsonAsync("update-sip-media-application", "--sip-media-application-id", smaId, "--name", "cli-sma-renamed");
        var disabled = await AwsJsonAsync("update-sip-rule", "--sip-rule-id", ruleId, "--name", "cli-rule", "--disabled");
        var missing = await AwsAsync("get-sip-media-application", "--sip-media-application-id", "00000000-0000-4000-8000-000000000000");
        var bad = await AwsAsync("create-sip-media-application", "--aws-region", "us-east-1", "--name", "bad/name",
            "--endpoints", "LambdaArn=arn:aws:lambda:us-east-1:123456789012:function:f");
        var call = await AwsJsonAsync("create-sip-media-application-call", "--sip-media-application-id", smaId,
            "--from-phone-number", numbers[0], "--to-phone-number", "+13125550199", "--arguments-map", "CallerName=Carol");
        var transactionId = call.GetProperty("SipMediaApplicationCall").GetProperty("TransactionId").GetString()!;
        var update = await AwsJsonAsync("update-sip-media-application-call", "--sip-media-application-id", smaId,
            "--transaction-id", transactionId, "--arguments", "action=hangup");
        var deleteRule = await AwsAsync("delete-sip-rule", "--sip-rule-id", ruleId);
        var deleteSma = await AwsAsync("delete-sip-media-application", "--sip-media-application-id", smaId);
        var afterDelete = await AwsAsync("get-sip-rule", "--sip-rule-id", ruleId);

        Assert.All(numbers, n => Assert.StartsWith("+1312555", n, StringComparison.Ordinal));
        Assert.Equal("Successful", order.GetProperty("PhoneNumberOrder").GetProperty("Status").GetString());
        Assert.Equal(numbers, listed.GetProperty("PhoneNumbers").EnumerateArray().Select(n => n.GetProperty("E164PhoneNumber").GetString()!).ToArray());
        Assert.Equal("Unassigned", number.GetProperty("PhoneNumber").GetProperty("Status").GetString());
        Assert.Equal("cli-sma-renamed", renamed.GetProperty("SipMediaApplication").GetProperty("Name").GetString());
        Assert.True(disabled.GetProperty("SipRule").GetProperty("Disabled").GetBoolean());
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("(NotFoundException)", missing.StdErr, StringComparison.Ordinal);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("(BadRequestException)", bad.StdErr, StringComparison.Ordinal);
        Assert.Contains("Name does not match", bad.StdErr, StringComparison.Ordinal);
        Assert.Equal(transactionId, update.GetProperty("SipMediaApplicationCall").GetProperty("TransactionId").GetString());
        Assert.Equal(0, deleteRule.ExitCode);
        Assert.Equal(0, deleteSma.ExitCode);
        Assert.Contains("(NotFoundException)", afterDelete.StdErr, StringComparison.Ordinal);

        var created = Assert.Single(_server.Calls.Created);
        Assert.Equal(smaId, created.Application.SipMediaApplicationId);
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:cli-handler", created.Application.Endpoint);
        Assert.Equal("Carol", created.ArgumentsMap!["CallerName"]);
        var updated = Assert.Single(_server.Calls.Updated);
        Assert.Equal(transactionId, updated.TransactionId);
        Assert.Equal("hangup", updated.Arguments["action"]);
    }

    [Fact]
    public async Task AwsCli_ProxySessionsAndVoiceProfileDomains_Work()
    {
        var vc = await AwsJsonAsync("create-voice-connector", "--name", "cli-proxy", "--no-require-encryption");
        var vcId = vc.GetProperty("VoiceConnector").GetProperty("VoiceConnectorId").GetString()!;
        await AwsJsonAsync("create-phone-number-order", "--product-type", "VoiceConnector", "--e164-phone-numbers", "+13125550170");
        await AwsJsonAsync("associate-phone-numbers-with-voice-connector", "--voice-connector-id", vcId, "--e164-phone-numbers", "+13125550170");
        var proxy = await AwsJsonAsync("put-voice-connector-proxy", "--voice-connector-id", vcId,
            "--default-session-expiry-minutes", "15", "--phone-number-pool-countries", "US");
        var session = await AwsJsonAsync("create-proxy-session", "--voice-connector-id", vcId,
            "--participant-phone-numbers", "+15035550021", "+15035550022", "--capabilities", "Voice");
        var sessionId = session.GetProperty("ProxySession").GetProperty("ProxySessionId").GetString()!;
        var listed = await AwsJsonAsync("list-proxy-sessions", "--voice-connector-id", vcId, "--status", "Open");
        var deleted = await AwsAsync("delete-proxy-session", "--voice-connector-id", vcId, "--proxy-session-id", sessionId);
        var domain = await AwsJsonAsync("create-voice-profile-domain", "--name", "cli-domain",
            "--server-side-encryption-configuration", "KmsKeyArn=arn:aws:kms:us-east-1:123456789012:key/cli");
        var domainId = domain.GetProperty("VoiceProfileDomain").GetProperty("VoiceProfileDomainId").GetString()!;
        var domains = await AwsJsonAsync("list-voice-profile-domains");
        var tone = await AwsAsync("start-voice-tone-analysis-task", "--voice-connector-id", vcId, "--transaction-id", "t-1", "--language-code", "en-US");
        var e911 = await AwsAsync("validate-e911-address", "--aws-account-id", "123456789012", "--street-number", "410",
            "--street-info", "Terry Ave N", "--city", "Seattle", "--state", "WA", "--country", "US", "--postal-code", "98109");
        var deleteDomain = await AwsAsync("delete-voice-profile-domain", "--voice-profile-domain-id", domainId);

        Assert.Equal(15, proxy.GetProperty("Proxy").GetProperty("DefaultSessionExpiryMinutes").GetInt32());
        var participants = session.GetProperty("ProxySession").GetProperty("Participants");
        Assert.Equal("+13125550170", participants[0].GetProperty("ProxyPhoneNumber").GetString());
        Assert.Equal("+13125550170", participants[1].GetProperty("ProxyPhoneNumber").GetString());
        Assert.Equal(sessionId, Assert.Single(listed.GetProperty("ProxySessions").EnumerateArray()).GetProperty("ProxySessionId").GetString());
        Assert.Equal(0, deleted.ExitCode);
        Assert.Equal(domainId, Assert.Single(domains.GetProperty("VoiceProfileDomains").EnumerateArray()).GetProperty("VoiceProfileDomainId").GetString());
        Assert.Contains("(BadRequestException)", tone.StdErr, StringComparison.Ordinal);
        Assert.Contains("Voice analytics is not enabled", tone.StdErr, StringComparison.Ordinal);
        Assert.Contains("(BadRequestException)", e911.StdErr, StringComparison.Ordinal);
        Assert.Equal(0, deleteDomain.ExitCode);
    }
}
