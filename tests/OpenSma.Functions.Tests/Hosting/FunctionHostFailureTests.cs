using System.Text;
using System.Text.Json.Nodes;
using OpenSma.Functions.Invocation;
using OpenSma.Functions.Tests.TestSupport;

namespace OpenSma.Functions.Tests.Hosting;

/// <summary>Failure cases run the way Lambda reports them: timeouts, thrown errors, crashes, init errors.</summary>
public sealed class FunctionHostFailureTests
{
    private static JsonObject Json(ReadOnlyMemory<byte> payload) => JsonNode.Parse(payload.Span)!.AsObject();

    private static string Describe(FunctionInvocationResult r) =>
        $"{r.Status} {r.ErrorType}: {r.ErrorMessage}\n{string.Join('\n', r.Logs)}";

    /// <summary>A Node handler that reports its pid, and crashes, throws or hangs on request.</summary>
    private const string Misbehaving = """
        const fs = require('node:fs');
        exports.handler = async (event) => {
          if (event.mark) fs.writeFileSync(event.mark, 'started');
          if (event.kind === 'hang') await new Promise(() => {});
          if (event.kind === 'throw') { const e = new TypeError('bad value ' + event.value); throw e; }
          if (event.kind === 'crash') process.kill(process.pid, 'SIGKILL');
          if (event.kind === 'exit') process.exit(3);
          return { pid: process.pid };
        };
        """;

    private static async Task<int> PidAsync(FunctionHostScope scope, string name)
    {
        var result = await scope.InvokeAsync(name, new JsonObject());
        Assert.True(result.Status == FunctionInvocationStatus.Succeeded, Describe(result));
        return Json(result.Payload)["pid"]!.GetValue<int>();
    }

    [Fact]
    public async Task InvokeAsync_WarmSandbox_ReusesTheSameProcess()
    {
        using var code = new TempDirectory();
        code.Write("index.js", Misbehaving);
        await using var scope = new FunctionHostScope();
        scope.Add("fn", "nodejs20.x", "index.handler", code.Path);

        var first = await PidAsync(scope, "fn");
        var second = await PidAsync(scope, "fn");

        Assert.Equal(first, second);
        Assert.Equal(1, scope.Host.SandboxCount("fn"));
    }

    [Fact]
    public async Task InvokeAsync_HandlerHangs_TimesOutOnTheFunctionTimeoutAndNextCallGetsFreshProcess()
    {
        using var code = new TempDirectory();
        code.Write("index.js", Misbehaving);
        await using var scope = new FunctionHostScope();
        scope.Add("fn", "nodejs20.x", "index.handler", code.Path, timeout: 3);
        var before = await PidAsync(scope, "fn");
        var mark = code.Combine("started");

        var pending = scope.InvokeAsync("fn", new JsonObject { ["kind"] = "hang", ["mark"] = mark });
        await Eventually.UntilAsync(() => File.Exists(mark), "the handler to start");
        scope.Time.Advance(TimeSpan.FromSeconds(2.9));
        Assert.False(pending.IsCompleted);
        scope.Time.Advance(TimeSpan.FromSeconds(0.1));
        var result = await pending;

        Assert.Equal(FunctionInvocationStatus.TimedOut, result.Status);
        Assert.Equal("Task timed out after 3.00 seconds", result.ErrorMessage);
        Assert.Contains(result.Logs, l => l.Text.EndsWith("Task timed out after 3.00 seconds", StringComparison.Ordinal));
        Assert.NotEqual(before, await PidAsync(scope, "fn"));
    }

    [Fact]
    public async Task InvokeAsync_NodeHandlerThrows_ReportsErrorTypeMessageAndTraceAndKeepsSandboxWarm()
    {
        using var code = new TempDirectory();
        code.Write("index.js", Misbehaving);
        await using var scope = new FunctionHostScope();
        scope.Add("fn", "nodejs20.x", "index.handler", code.Path);
        var before = await PidAsync(scope, "fn");

        var result = await scope.InvokeAsync("fn", new JsonObject { ["kind"] = "throw", ["value"] = 42 });

        Assert.Equal(FunctionInvocationStatus.FunctionError, result.Status);
        Assert.Equal("TypeError", result.ErrorType);
        Assert.Equal("bad value 42", result.ErrorMessage);
        var doc = Json(result.Payload);
        Assert.Equal("TypeError", doc["errorType"]!.GetValue<string>());
        Assert.StartsWith("TypeError: bad value 42", doc["trace"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(result.Logs, l => l.Text.Contains("\tERROR\tInvoke Error \t{\"errorType\":\"TypeError\"", StringComparison.Ordinal));
        Assert.Equal(before, await PidAsync(scope, "fn"));
    }

    [Fact]
    public async Task InvokeAsync_PythonHandlerRaises_ReportsErrorTypeAndStackTrace()
    {
        using var code = new TempDirectory();
        code.Write("app.py", """
            def handler(event, context):
                raise ValueError("no such menu: " + event["menu"])
            """);
        await using var scope = new FunctionHostScope();
        scope.Add("py", "python3.11", "app.handler", code.Path);

        var result = await scope.InvokeAsync("py", new JsonObject { ["menu"] = "sales" });

        Assert.Equal(FunctionInvocationStatus.FunctionError, result.Status);
        Assert.Equal("ValueError", result.ErrorType);
        Assert.Equal("no such menu: sales", result.ErrorMessage);
        var doc = Json(result.Payload);
        Assert.Equal(result.RequestId, doc["requestId"]!.GetValue<string>());
        Assert.Contains(doc["stackTrace"]!.AsArray(), f => f!.GetValue<string>().Contains("app.py", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("crash", "Runtime exited with error: signal: killed")]
    [InlineData("exit", "Runtime exited with error: exit status 3")]
    public async Task InvokeAsync_ProcessDiesMidCall_ReportsExitAndNextCallGetsFreshProcess(string kind, string expected)
    {
        using var code = new TempDirectory();
        code.Write("index.js", Misbehaving);
        await using var scope = new FunctionHostScope();
        scope.Add("fn", "nodejs20.x", "index.handler", code.Path);
        var before = await PidAsync(scope, "fn");

        var result = await scope.InvokeAsync("fn", new JsonObject { ["kind"] = kind });

        Assert.Equal(FunctionInvocationStatus.RuntimeExited, result.Status);
        Assert.Equal("Runtime.ExitError", result.ErrorType);
        Assert.Equal($"RequestId: {result.RequestId} Error: {expected}", result.ErrorMessage);
        var after = await PidAsync(scope, "fn");
        Assert.NotEqual(before, after);
    }

    [Theory]
    [InlineData("nodejs20.x", "index.handler", "index.js", "exports.handler = (event => {", "Runtime.UserCodeSyntaxError", "Unexpected")]
    [InlineData("nodejs20.x", "index.handler", "index.mjs", "export const handler = async (event => {", "Runtime.UserCodeSyntaxError", "Unexpected")]
    [InlineData("nodejs20.x", "main.handler", "index.js", "exports.handler = async () => ({});", "Runtime.ImportModuleError", "Cannot find module 'main'")]
    [InlineData("nodejs20.x", "index.missing", "index.js", "exports.handler = async () => ({});", "Runtime.HandlerNotFound", "index.missing is undefined or not exported")]
    [InlineData("python3.11", "app.handler", "app.py", "def handler(event, context)\n    return {}\n", "Runtime.UserCodeSyntaxError", "Syntax error in module 'app'")]
    [InlineData("python3.11", "main.handler", "app.py", "def handler(event, context):\n    return {}\n", "Runtime.ImportModuleError", "Unable to import module 'main'")]
    [InlineData("python3.11", "app.missing", "app.py", "def handler(event, context):\n    return {}\n", "Runtime.HandlerNotFound", "Handler 'missing' missing on module 'app'")]
    public async Task InvokeAsync_BrokenCodeAtInit_ReportsInitErrorLikeLambda(
        string runtime, string handler, string file, string source, string errorType, string messagePart)
    {
        using var code = new TempDirectory();
        code.Write(file, source);
        await using var scope = new FunctionHostScope();
        scope.Add("broken", runtime, handler, code.Path);

        var result = await scope.InvokeAsync("broken", SmaEvents.NewInboundCall());

        Assert.True(result.Status == FunctionInvocationStatus.InitError, Describe(result));
        Assert.Equal(errorType, result.ErrorType);
        Assert.Contains(messagePart, result.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(errorType, Json(result.Payload)["errorType"]!.GetValue<string>());
        Assert.Contains(result.Logs, l => l.Text.StartsWith("INIT_REPORT", StringComparison.Ordinal));
        Assert.Equal(0, scope.Host.SandboxCount("broken"));
    }

    [Fact]
    public async Task InvokeAsync_SlowColdStart_WaitsForInitAndSucceeds()
    {
        using var code = new TempDirectory();
        code.Write("index.mjs", """
            const started = Date.now();
            await new Promise((resolve) => setTimeout(resolve, 1500));
            const initMs = Date.now() - started;
            export const handler = async (event, context) => ({ initMs, remaining: context.getRemainingTimeInMillis() });
            """);
        await using var scope = new FunctionHostScope();
        scope.Add("slow", "nodejs20.x", "index.handler", code.Path, timeout: 30);

        var result = await scope.InvokeAsync("slow", new JsonObject());

        Assert.True(result.Status == FunctionInvocationStatus.Succeeded, Describe(result));
        var reply = Json(result.Payload);
        Assert.True(reply["initMs"]!.GetValue<int>() >= 1400);
        // The deadline is set when the event is handed over after init, so most of the 30 s remain.
        Assert.InRange(reply["remaining"]!.GetValue<int>(), 5_000, 30_000);
    }

    [Fact]
    public async Task InvokeAsync_InitNeverFinishes_TimesOutOnTheInitTimeout()
    {
        using var code = new TempDirectory();
        var mark = code.Combine("init-started");
        code.Write("app.py", $$"""
            import time
            open({{System.Text.Json.JsonSerializer.Serialize(mark)}}, "w").close()
            time.sleep(3600)
            def handler(event, context):
                return {}
            """);
        await using var scope = new FunctionHostScope(o => o.InitTimeout = TimeSpan.FromSeconds(10));
        scope.Add("stuck", "python3.11", "app.handler", code.Path);

        var pending = scope.InvokeAsync("stuck", new JsonObject());
        await Eventually.UntilAsync(() => File.Exists(mark), "init to start");
        scope.Time.Advance(TimeSpan.FromSeconds(10));
        var result = await pending;

        Assert.Equal(FunctionInvocationStatus.TimedOut, result.Status);
        Assert.Equal("Init phase timed out after 10.00 seconds", result.ErrorMessage);
    }

    [Fact]
    public async Task InvokeAsync_CallerStopsWaiting_ReturnsTimedOutAndSandboxFinishesOnItsOwn()
    {
        using var code = new TempDirectory();
        code.Write("index.js", Misbehaving);
        await using var scope = new FunctionHostScope();
        scope.Add("fn", "nodejs20.x", "index.handler", code.Path, timeout: 30);
        var mark = code.Combine("started");
        using var cts = new CancellationTokenSource();

        var pending = scope.Host.InvokeAsync("fn", SmaEvents.Bytes(new JsonObject { ["kind"] = "hang", ["mark"] = mark }), null, cts.Token);
        await Eventually.UntilAsync(() => File.Exists(mark), "the handler to start");
        await cts.CancelAsync();
        var result = await pending.Guard();

        Assert.Equal(FunctionInvocationStatus.TimedOut, result.Status);
        Assert.Equal(1, scope.Host.SandboxCount("fn"));
    }

    [Fact]
    public async Task InvokeAsync_ReservedConcurrencyExhausted_IsThrottledWhileOtherSandboxIsBusy()
    {
        using var code = new TempDirectory();
        code.Write("index.js", """
            const fs = require('node:fs');
            exports.handler = async (event) => {
              fs.writeFileSync(event.mark, 'started');
              while (!fs.existsSync(event.release)) await new Promise((r) => setTimeout(r, 10));
              return { pid: process.pid };
            };
            """);
        await using var scope = new FunctionHostScope();
        scope.Add("one", "nodejs20.x", "index.handler", code.Path, timeout: 60, reservedConcurrency: 1);
        var mark = code.Combine("started");
        var release = code.Combine("release");

        var busy = scope.InvokeAsync("one", new JsonObject { ["mark"] = mark, ["release"] = release });
        await Eventually.UntilAsync(() => File.Exists(mark), "the first invocation to start");
        var throttled = await scope.InvokeAsync("one", new JsonObject { ["mark"] = mark, ["release"] = release });
        File.WriteAllText(release, "go");
        var done = await busy;

        Assert.Equal(FunctionInvocationStatus.Throttled, throttled.Status);
        Assert.Equal("TooManyRequestsException", throttled.ErrorType);
        Assert.Equal(FunctionInvocationStatus.Succeeded, done.Status);
    }

    [Fact]
    public async Task InvokeAsync_ConcurrentInvocations_RunInSeparateProcesses()
    {
        using var code = new TempDirectory();
        code.Write("index.js", """
            const fs = require('node:fs');
            exports.handler = async (event) => {
              fs.writeFileSync(event.mark, 'started');
              while (!fs.existsSync(event.release)) await new Promise((r) => setTimeout(r, 10));
              return { pid: process.pid };
            };
            """);
        await using var scope = new FunctionHostScope();
        scope.Add("two", "nodejs20.x", "index.handler", code.Path, timeout: 60, reservedConcurrency: 2);
        var release = code.Combine("release");

        var a = scope.InvokeAsync("two", new JsonObject { ["mark"] = code.Combine("a"), ["release"] = release });
        var b = scope.InvokeAsync("two", new JsonObject { ["mark"] = code.Combine("b"), ["release"] = release });
        await Eventually.UntilAsync(() => File.Exists(code.Combine("a")) && File.Exists(code.Combine("b")), "both invocations to start");
        File.WriteAllText(release, "go");
        var pids = new[] { Json((await a).Payload)["pid"]!.GetValue<int>(), Json((await b).Payload)["pid"]!.GetValue<int>() };

        Assert.NotEqual(pids[0], pids[1]);
        Assert.Equal(2, scope.Host.SandboxCount("two"));
    }

    [Fact]
    public async Task InvokeAsync_UnknownFunction_IsNotFound()
    {
        await using var scope = new FunctionHostScope();

        var result = await scope.InvokeAsync("arn:aws:lambda:us-east-1:111122223333:function:nobody", new JsonObject());

        Assert.Equal(FunctionInvocationStatus.NotFound, result.Status);
        Assert.Equal("ResourceNotFoundException", result.ErrorType);
        Assert.Contains("nobody", Encoding.UTF8.GetString(result.Payload.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_WorkDirectoryUnusable_ReturnsFailureInsteadOfThrowing()
    {
        using var code = new TempDirectory();
        code.Write("index.js", Misbehaving);
        var blocker = code.Write("not-a-directory", "a file where the work directory should be");
        await using var scope = new FunctionHostScope(o => o.WorkDirectory = Path.Combine(blocker, "work"));
        scope.Add("fn", "nodejs20.x", "index.handler", code.Path);

        var result = await scope.InvokeAsync("fn", new JsonObject());

        Assert.Equal(FunctionInvocationStatus.RuntimeExited, result.Status);
        Assert.Equal("Runtime.Unavailable", result.ErrorType);
        Assert.Equal(0, scope.Host.SandboxCount("fn"));
    }
}
