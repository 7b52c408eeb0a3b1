using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenSma.EndToEnd.Tests.Support;

namespace OpenSma.EndToEnd.Tests.Functions;

/// <summary>
/// examples/functions/node-outbound-call inside <c>opensma serve</c>, deployed with the real
/// <c>opensma functions add</c>: invoked with the AWS CLI on an SMA event, the handler calls
/// CreateSipMediaApplicationCall through @aws-sdk/client-chime-sdk-voice with nothing but the
/// injected environment; that lands on serve's Chime SDK Voice API, whose engine places the call
/// (a virtual phone answers) and invokes the same function for it. <c>opensma functions logs</c>
/// then shows that call's invocations under its TransactionId.
/// </summary>
public sealed class OutboundCallExampleServeTests : IAsyncLifetime
{
    private InProcessServe _serve = null!;

    public async Task InitializeAsync() => _serve = await InProcessServe.StartAsync("outbound-fn");

    public async Task DisposeAsync() => await _serve.DisposeAsync();

    [Fact]
    public async Task OutboundExample_InServe_PlacesTheCallThroughTheSdkAndLogsItsInvocations()
    {
        var example = Path.Combine(TestProcess.RepoRoot, "examples", "functions", "node-outbound-call");
        Assert.True(Directory.Exists(Path.Combine(example, "node_modules", "@aws-sdk", "client-chime-sdk-voice")),
            "run scripts/install-deps to install the example's npm packages");
        var add = await OpensmaAsync("functions", "add", "callback", "--runtime", "nodejs20.x", "--handler", "index.handler",
            "--code", example, "--timeout", "30");
        Assert.True(add.Exit == 0, add.Stderr);
        var arn = "arn:aws:lambda:us-east-1:000000000000:function:callback";
        var sma = await AwsAsync("chime-sdk-voice", "create-sip-media-application", "--aws-region", "us-east-1", "--name", "callback",
            "--endpoints", $"LambdaArn={arn}");
        var smaId = sma["SipMediaApplication"]!["SipMediaApplicationId"]!.GetValue<string>();

        // The inbound call's event, as the engine would send it.
        var inbound = new JsonObject
        {
            ["SchemaVersion"] = "1.0",
            ["Sequence"] = 1,
            ["InvocationEventType"] = "NEW_INBOUND_CALL",
            ["CallDetails"] = new JsonObject
            {
                ["TransactionId"] = "inbound-tx-1",
                ["AwsAccountId"] = "000000000000",
                ["AwsRegion"] = "us-east-1",
                ["SipMediaApplicationId"] = smaId,
                ["Participants"] = new JsonArray(new JsonObject
                {
                    ["CallId"] = "call-a",
                    ["ParticipantTag"] = "LEG-A",
                    ["To"] = "+15551230000",
                    ["From"] = "+15559870000",
                    ["Direction"] = "Inbound",
                    ["StartTimeInMilliseconds"] = "1700000000000",
                }),
            },
        };
        var payload = Path.Combine(_serve.WorkDirectory, "event.json");
        await File.WriteAllTextAsync(payload, inbound.ToJsonString());
        var reply = Path.Combine(_serve.WorkDirectory, "reply.json");
        var invoked = await AwsAsync("lambda", "invoke", "--function-name", arn, "--payload", "file://" + payload, "--log-type", "Tail", reply);

        Assert.Null(invoked["FunctionError"]);
        var body = JsonNode.Parse(await File.ReadAllTextAsync(reply))!;
        Assert.Equal(["Speak", "Hangup"], body["Actions"]!.AsArray().Select(a => a!["Type"]!.GetValue<string>()));
        var callbackId = body["TransactionAttributes"]!["callback"]!.GetValue<string>();
        var tail = Encoding.UTF8.GetString(Convert.FromBase64String(invoked["LogResult"]!.GetValue<string>()));
        Assert.Contains("placed callback " + callbackId, tail, StringComparison.Ordinal);

        // The call the handler placed reaches the same function: NEW_OUTBOUND_CALL, then CALL_ANSWERED (a virtual phone answers).
        List<JsonNode> callbackLogs = [];
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            while (callbackLogs.Count(l => l["text"]!.GetValue<string>().StartsWith("START ", StringComparison.Ordinal)) < 2)
            {
                await Task.Delay(200, wait.Token);
                var logs = await OpensmaAsync("functions", "logs", "callback", "--transaction-id", callbackId, "--json");
                Assert.True(logs.Exit == 0, logs.Stderr);
                callbackLogs = [.. logs.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!)];
            }
        }

        Assert.All(callbackLogs, l => Assert.Equal(callbackId, l["transactionId"]!.GetValue<string>()));
        Assert.True(callbackLogs.Select(l => l["requestId"]!.GetValue<string>()).Distinct().Count() >= 2);
        var inboundLogs = await OpensmaAsync("functions", "logs", "callback", "--transaction-id", "inbound-tx-1");
        Assert.Contains("placed callback " + callbackId, inboundLogs.Stdout, StringComparison.Ordinal);
        Assert.Contains("TransactionId=inbound-tx-1 stdout:", inboundLogs.Stdout, StringComparison.Ordinal);
    }

    private Task<ProcessResult> OpensmaAsync(params string[] args) => _serve.OpensmaAsync(args);

    private async Task<JsonNode> AwsAsync(params string[] args) => JsonNode.Parse(await _serve.AwsAsync(args))!;
}
