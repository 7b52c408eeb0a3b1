using System.Text.Json.Nodes;
using OpenSma.Functions.Invocation;
using OpenSma.Functions.Tests.TestSupport;

namespace OpenSma.Functions.Tests.Hosting;

/// <summary>dotnet class-library handlers run by the .NET bootstrap under `dotnet exec`.</summary>
public sealed class FunctionHostDotnetTests
{
    private const string Handler = "OpenSma.Examples.DotnetHandler::OpenSma.Examples.DotnetHandler.Function::HandleAsync";

    /// <summary>The example's build output for the configuration these tests were built in.</summary>
    private static string ExampleOutput()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Release" : "Debug";
        var dir = Path.Combine(TestPaths.Example("dotnet"), "bin", configuration, "net10.0");
        Assert.True(File.Exists(Path.Combine(dir, "OpenSma.Examples.DotnetHandler.dll")), "example not built at " + dir);
        return dir;
    }

    [Fact]
    public async Task InvokeAsync_DotnetExample_ReturnsActionsWithContextAndKeepsInstanceWarm()
    {
        await using var scope = new FunctionHostScope();
        scope.Add("dotnet-fn", "dotnet8", Handler, ExampleOutput(), timeout: 30);

        var first = await scope.InvokeAsync("dotnet-fn", SmaEvents.NewInboundCall());
        var second = await scope.InvokeAsync("dotnet-fn", SmaEvents.NewInboundCall());

        Assert.True(first.Status == FunctionInvocationStatus.Succeeded, $"{first.ErrorType}: {first.ErrorMessage}\n{string.Join('\n', first.Logs)}");
        var reply = JsonNode.Parse(first.Payload.Span)!;
        Assert.Equal(["Speak", "Hangup"], reply["Actions"]!.AsArray().Select(a => a!["Type"]!.GetValue<string>()));
        Assert.Equal("You are calling from +13135550199.", reply["Actions"]![0]!["Parameters"]!["Text"]!.GetValue<string>());
        Assert.Equal("dotnet", reply["TransactionAttributes"]!["handler"]!.GetValue<string>());
        Assert.Contains(first.Logs, l => l.Text == $"NEW_INBOUND_CALL in dotnet-fn ({first.RequestId}), warm invocation 1");
        Assert.Contains(second.Logs, l => l.Text == $"NEW_INBOUND_CALL in dotnet-fn ({second.RequestId}), warm invocation 2");
    }

    [Fact]
    public async Task InvokeAsync_DotnetHandlerThrows_ReportsExceptionType()
    {
        await using var scope = new FunctionHostScope();
        scope.Add("dotnet-fn", "dotnet10", Handler, ExampleOutput(), timeout: 30);

        // The example dereferences CallDetails; an event without it makes the handler throw.
        var result = await scope.InvokeAsync("dotnet-fn", new JsonObject { ["SchemaVersion"] = "1.0", ["InvocationEventType"] = "NEW_INBOUND_CALL" });

        Assert.Equal(FunctionInvocationStatus.FunctionError, result.Status);
        Assert.Equal("NullReferenceException", result.ErrorType);
        Assert.NotEmpty(JsonNode.Parse(result.Payload.Span)!["stackTrace"]!.AsArray());
    }

    [Theory]
    [InlineData("Missing::A.B::C", "Runtime.ImportModuleError")]
    [InlineData("OpenSma.Examples.DotnetHandler::OpenSma.Examples.DotnetHandler.Nope::HandleAsync", "Runtime.HandlerNotFound")]
    [InlineData("not-a-dotnet-handler", "Runtime.MalformedHandlerName")]
    public async Task InvokeAsync_BadDotnetHandler_IsInitError(string handler, string errorType)
    {
        await using var scope = new FunctionHostScope();
        scope.Add("dotnet-fn", "dotnet8", handler, ExampleOutput(), timeout: 30);

        var result = await scope.InvokeAsync("dotnet-fn", SmaEvents.NewInboundCall());

        Assert.Equal(FunctionInvocationStatus.InitError, result.Status);
        Assert.Equal(errorType, result.ErrorType);
    }
}
