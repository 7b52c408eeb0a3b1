using System.Text.Json.Nodes;
using OpenSma.Functions.Invocation;
using OpenSma.Functions.Logs;
using OpenSma.Functions.Tests.TestSupport;

namespace OpenSma.Functions.Tests.Hosting;

/// <summary>The example handlers in examples/functions, run through real runtime processes.</summary>
public sealed class FunctionHostExampleTests
{
    private static JsonObject Reply(FunctionInvocationResult result)
    {
        Assert.True(result.Status == FunctionInvocationStatus.Succeeded,
            $"{result.Status}: {result.ErrorType} {result.ErrorMessage}\n{string.Join('\n', result.Logs)}");
        return JsonNode.Parse(result.Payload.Span)!.AsObject();
    }

    private static string[] ActionTypes(JsonObject reply) =>
        [.. reply["Actions"]!.AsArray().Select(a => a!["Type"]!.GetValue<string>())];

    [Fact]
    public async Task InvokeAsync_NodeCallbackExample_ReturnsGreetingThenHangup()
    {
        await using var scope = new FunctionHostScope();
        scope.Add("ivr", "nodejs20.x", "index.handler", TestPaths.Example("node-callback"));

        var first = Reply(await scope.InvokeAsync("ivr", SmaEvents.NewInboundCall()));
        Assert.Equal("1.0", first["SchemaVersion"]!.GetValue<string>());
        Assert.Equal(["Pause", "PlayAudio"], ActionTypes(first));
        Assert.Equal(SmaEvents.LegACallId, first["Actions"]![1]!["Parameters"]!["CallId"]!.GetValue<string>());
        Assert.Equal("welcome.wav", first["Actions"]![1]!["Parameters"]!["AudioSource"]!["Key"]!.GetValue<string>());

        var played = new JsonObject { ["Type"] = "PlayAudio", ["Parameters"] = new JsonObject { ["CallId"] = SmaEvents.LegACallId } };
        var second = Reply(await scope.InvokeAsync("ivr", SmaEvents.ActionSuccessful(2, played)));
        Assert.Equal(["Hangup"], ActionTypes(second));
        Assert.Equal("0", second["Actions"]![0]!["Parameters"]!["SipResponseCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task InvokeAsync_NodeCallbackExample_LogsAreTaggedWithRequestAndTransaction()
    {
        await using var scope = new FunctionHostScope();
        scope.Add("ivr", "nodejs20.x", "index.handler", TestPaths.Example("node-callback"));

        var result = await scope.InvokeAsync("ivr", SmaEvents.NewInboundCall());

        var line = Assert.Single(result.Logs, l => l.Stream == FunctionLogStream.Stdout);
        Assert.Contains($"\t{result.RequestId}\tINFO\tevent NEW_INBOUND_CALL sequence 1 function ivr", line.Text, StringComparison.Ordinal);
        Assert.All(result.Logs, l => Assert.Equal(SmaEvents.TransactionId, l.TransactionId));
        Assert.All(result.Logs, l => Assert.Equal(result.RequestId, l.RequestId));
        Assert.StartsWith($"START RequestId: {result.RequestId}", result.Logs[0].Text, StringComparison.Ordinal);
        Assert.StartsWith("REPORT RequestId:", result.Logs[^1].Text, StringComparison.Ordinal);
        Assert.Equal(result.Logs.Count, scope.Host.ReadLogs("ivr", transactionId: SmaEvents.TransactionId).Count);
    }

    [Fact]
    public async Task InvokeAsync_NodeEsmExample_MenuKeepsStateInTransactionAttributes()
    {
        await using var scope = new FunctionHostScope();
        scope.Add("menu", "nodejs22.x", "index.handler", TestPaths.Example("node-esm"));

        var first = Reply(await scope.InvokeAsync("menu", SmaEvents.NewInboundCall()));
        Assert.Equal(["SpeakAndGetDigits"], ActionTypes(first));
        Assert.Equal("main", first["TransactionAttributes"]!["menu"]!.GetValue<string>());

        var collected = new JsonObject
        {
            ["Type"] = "SpeakAndGetDigits",
            ["Parameters"] = new JsonObject { ["CallId"] = SmaEvents.LegACallId },
            ["ReceivedDigits"] = "2",
        };
        var second = Reply(await scope.InvokeAsync("menu", SmaEvents.ActionSuccessful(2, collected, new JsonObject { ["menu"] = "main" })));
        Assert.Equal(["Speak", "Hangup"], ActionTypes(second));
        Assert.Equal("Connecting you to support.", second["Actions"]![0]!["Parameters"]!["Text"]!.GetValue<string>());
        Assert.Equal("support", second["TransactionAttributes"]!["menu"]!.GetValue<string>());
    }

    [Fact]
    public async Task InvokeAsync_PythonExample_CountsEventsAndHangsUpOnThird()
    {
        await using var scope = new FunctionHostScope();
        scope.Add("counter", "python3.11", "app.lambda_handler", TestPaths.Example("python"));

        var first = Reply(await scope.InvokeAsync("counter", SmaEvents.NewInboundCall()));
        Assert.Equal(["Speak"], ActionTypes(first));
        Assert.Equal("This is event 1.", first["Actions"]![0]!["Parameters"]!["Text"]!.GetValue<string>());

        static JsonObject spoke() => new() { ["Type"] = "Speak", ["Parameters"] = new JsonObject { ["CallId"] = SmaEvents.LegACallId } };
        var second = Reply(await scope.InvokeAsync("counter", SmaEvents.ActionSuccessful(2, spoke(), first["TransactionAttributes"]!.DeepClone().AsObject())));
        Assert.Equal("2", second["TransactionAttributes"]!["count"]!.GetValue<string>());
        var third = await scope.InvokeAsync("counter", SmaEvents.ActionSuccessful(3, spoke(), second["TransactionAttributes"]!.DeepClone().AsObject()));
        Assert.Equal(["Hangup"], ActionTypes(Reply(third)));

        Assert.Contains(third.Logs, l => l.Text.StartsWith("[INFO]", StringComparison.Ordinal)
            && l.Text.Contains($"\t{third.RequestId}\tACTION_SUCCESSFUL #3 in counter (us-east-1)", StringComparison.Ordinal));
        Assert.Contains(third.Logs, l => l.Text.StartsWith("remaining ms: ", StringComparison.Ordinal));
        Assert.Equal(1, scope.Host.SandboxCount("counter"));
    }
}
