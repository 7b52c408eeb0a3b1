using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Engine.Invocation;
using OpenSma.Functions.Invocation;
using OpenSma.Functions.Remote;
using OpenSma.Functions.Tests.TestSupport;

namespace OpenSma.Functions.Tests.Remote;

public sealed class RemoteLambdaInvokerTests
{
    private static RemoteLambdaInvoker Invoker(Uri endpoint, string secret = LambdaStubServer.SecretAccessKey) =>
        new(new HttpClient(), new RemoteLambdaOptions
        {
            Endpoint = endpoint,
            AccessKeyId = LambdaStubServer.AccessKeyId,
            SecretAccessKey = secret,
            SessionToken = "session-token",
        }, new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 3, 0, 0, TimeSpan.Zero)));

    private static InvocationRequest Request(string name, string region = "eu-west-1") => new(
        $"arn:aws:lambda:{region}:111122223333:function:{name}", SmaEvents.Bytes(SmaEvents.NewInboundCall()), SmaEvents.TransactionId, 1);

    [Fact]
    public async Task InvokeAsync_SignedRequest_IsVerifiedAndReplyAndLogsReturned()
    {
        await using var stub = await LambdaStubServer.StartAsync();

        var result = await Invoker(stub.BaseUrl).InvokeAsync(Request("echo"), CancellationToken.None);

        Assert.Empty(stub.Rejections);
        Assert.Equal("arn:aws:lambda:eu-west-1:111122223333:function:echo", Assert.Single(stub.Verified));
        Assert.Equal(InvocationOutcome.Ok, result.Outcome);
        Assert.Equal("NEW_INBOUND_CALL", JsonNode.Parse(result.Payload.Span)!["echo"]!["InvocationEventType"]!.GetValue<string>());
        Assert.NotNull(result.Logs);
        Assert.Contains($"RequestId=stub-request-1 TransactionId={SmaEvents.TransactionId} remote: hello from remote", result.Logs);
    }

    [Fact]
    public async Task InvokeAsync_WrongSecret_IsRejectedByTheVerifyingEndpoint()
    {
        await using var stub = await LambdaStubServer.StartAsync();

        var result = await Invoker(stub.BaseUrl, secret: "not-the-secret").InvokeAsync(Request("echo"), CancellationToken.None);

        Assert.Equal(InvocationOutcome.Rejected, result.Outcome);
        Assert.Contains("InvalidSignatureException", result.Error, StringComparison.Ordinal);
        Assert.Single(stub.Rejections);
    }

    [Theory]
    [InlineData("broken", InvocationOutcome.FunctionError, "boom")]
    [InlineData("slowpoke", InvocationOutcome.Timeout, "Task timed out after 3.00 seconds")]
    [InlineData("busy", InvocationOutcome.Throttled, "TooManyRequestsException")]
    [InlineData("nobody", InvocationOutcome.Rejected, "ResourceNotFoundException")]
    public async Task InvokeAsync_LambdaErrorAnswers_MapToEngineOutcomes(string name, InvocationOutcome expected, string errorPart)
    {
        await using var stub = await LambdaStubServer.StartAsync();

        var result = await Invoker(stub.BaseUrl).InvokeAsync(Request(name), CancellationToken.None);

        Assert.Equal(expected, result.Outcome);
        Assert.Contains(errorPart, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_EngineCancelsAttempt_IsTimeout()
    {
        await using var stub = await LambdaStubServer.StartAsync();
        using var cts = new CancellationTokenSource();

        var pending = Invoker(stub.BaseUrl).InvokeAsync(Request("hang"), cts.Token).AsTask();
        await Eventually.UntilAsync(() => !stub.Verified.IsEmpty, "the request to arrive");
        await cts.CancelAsync();
        var result = await pending.Guard();

        Assert.Equal(InvocationOutcome.Timeout, result.Outcome);
    }

    [Fact]
    public async Task InvokeAsync_NothingListening_IsUnreachable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await Invoker(new Uri($"http://127.0.0.1:{port}")).InvokeAsync(Request("echo"), CancellationToken.None);

        Assert.Equal(InvocationOutcome.Unreachable, result.Outcome);
    }

    [Fact]
    public async Task Resolver_ArnWithoutLocalFunction_GoesToRemoteLambda()
    {
        await using var stub = await LambdaStubServer.StartAsync();
        await using var scope = new FunctionHostScope();
        var resolver = new FunctionEndpointResolver(scope.Host, Invoker(stub.BaseUrl));
        var endpoint = "arn:aws:lambda:us-west-2:999988887777:function:echo:prod";
        Assert.True(resolver.TryResolve(endpoint, out var invoker));

        var result = await invoker.InvokeAsync(new InvocationRequest(endpoint, SmaEvents.Bytes(new JsonObject()), "tx", 1), CancellationToken.None);

        Assert.Equal(InvocationOutcome.Ok, result.Outcome);
        Assert.Equal(endpoint, Assert.Single(stub.Verified));
    }

    /// <summary>The stub's verifier accepts what the real AWS CLI signs, so its verdicts on our signer mean something.</summary>
    [Fact]
    public async Task StubVerifier_RequestSignedByAwsCli_IsAccepted()
    {
        await using var stub = await LambdaStubServer.StartAsync();
        using var dir = new TempDirectory();

        var output = await ProcessRunner.RunAsync("aws", ["lambda", "invoke", "--function-name", "arn:aws:lambda:us-east-1:111122223333:function:echo",
            "--payload", "{\"a\":1}", "--endpoint-url", stub.BaseUrl.ToString().TrimEnd('/'), "out.json"],
            new Dictionary<string, string>
            {
                ["AWS_ACCESS_KEY_ID"] = LambdaStubServer.AccessKeyId,
                ["AWS_SECRET_ACCESS_KEY"] = LambdaStubServer.SecretAccessKey,
                ["AWS_DEFAULT_REGION"] = "us-east-1",
                ["AWS_CONFIG_FILE"] = dir.Combine("none"),
                ["AWS_SHARED_CREDENTIALS_FILE"] = dir.Combine("none"),
            }, dir.Path);

        Assert.True(output.ExitCode == 0, output.Stderr + string.Join('\n', stub.Rejections));
        Assert.Empty(stub.Rejections);
        Assert.Single(stub.Verified);
    }
}
