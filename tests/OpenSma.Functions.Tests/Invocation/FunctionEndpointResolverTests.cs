using System.Text.Json.Nodes;
using OpenSma.Engine.Invocation;
using OpenSma.Functions.Invocation;
using OpenSma.Functions.Tests.TestSupport;

namespace OpenSma.Functions.Tests.Invocation;

public sealed class FunctionEndpointResolverTests
{
    [Fact]
    public void TryResolve_UrlOrBareName_IsNotServed()
    {
        using var work = new TempDirectory();
        var resolver = new FunctionEndpointResolver(new OpenSma.Functions.Hosting.FunctionHost(
            new OpenSma.Functions.Hosting.FunctionsOptions { WorkDirectory = work.Path }, TimeProvider.System), remote: null);

        Assert.False(resolver.TryResolve("https://example.com/sma", out _));
        Assert.False(resolver.TryResolve("ivr", out _));
        Assert.True(resolver.TryResolve("arn:aws:lambda:us-east-1:111122223333:function:ivr:live", out _));
    }

    [Fact]
    public async Task InvokeAsync_ExampleThroughEngineSeam_ReturnsActionsAndTaggedLogs()
    {
        await using var scope = new FunctionHostScope();
        scope.Add("ivr", "nodejs20.x", "index.handler", TestPaths.Example("node-callback"));
        var resolver = new FunctionEndpointResolver(scope.Host, remote: null);
        var endpoint = scope.Arn("ivr") + ":prod";
        Assert.True(resolver.TryResolve(endpoint, out var invoker));

        var result = await invoker.InvokeAsync(
            new InvocationRequest(endpoint, SmaEvents.Bytes(SmaEvents.NewInboundCall()), SmaEvents.TransactionId, 1), CancellationToken.None);

        Assert.Equal(InvocationOutcome.Ok, result.Outcome);
        var reply = JsonNode.Parse(result.Payload.Span)!;
        Assert.Equal("PlayAudio", reply["Actions"]![1]!["Type"]!.GetValue<string>());
        Assert.NotNull(result.Logs);
        Assert.All(result.Logs, l => Assert.Contains($"TransactionId={SmaEvents.TransactionId}", l, StringComparison.Ordinal));
        Assert.Contains(result.Logs, l => l.Contains("stdout: ", StringComparison.Ordinal) && l.Contains("event NEW_INBOUND_CALL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InvokeAsync_UnknownFunctionWithoutRemote_IsRejected()
    {
        await using var scope = new FunctionHostScope();
        var resolver = new FunctionEndpointResolver(scope.Host, remote: null);
        var endpoint = scope.Arn("missing");
        Assert.True(resolver.TryResolve(endpoint, out var invoker));

        var result = await invoker.InvokeAsync(new InvocationRequest(endpoint, SmaEvents.Bytes(new JsonObject()), "tx", 1), CancellationToken.None);

        Assert.Equal(InvocationOutcome.Rejected, result.Outcome);
        Assert.Contains("Function not found", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(FunctionInvocationStatus.Succeeded, InvocationOutcome.Ok)]
    [InlineData(FunctionInvocationStatus.FunctionError, InvocationOutcome.FunctionError)]
    [InlineData(FunctionInvocationStatus.InitError, InvocationOutcome.FunctionError)]
    [InlineData(FunctionInvocationStatus.TimedOut, InvocationOutcome.Timeout)]
    [InlineData(FunctionInvocationStatus.RuntimeExited, InvocationOutcome.Unreachable)]
    [InlineData(FunctionInvocationStatus.Throttled, InvocationOutcome.Throttled)]
    [InlineData(FunctionInvocationStatus.NotFound, InvocationOutcome.Rejected)]
    public void ToOutcome_EachStatus_MapsToEngineOutcome(FunctionInvocationStatus status, InvocationOutcome expected)
    {
        Assert.Equal(expected, LocalFunctionInvoker.ToOutcome(status));
    }
}
