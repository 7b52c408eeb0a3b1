using System.Text.Json.Nodes;
using OpenSma.Functions.Invocation;
using OpenSma.Functions.Tests.TestSupport;

namespace OpenSma.Functions.Tests.Hosting;

/// <summary>Lambda semantics the runtimes must keep: environment, context, callbacks, custom runtimes, hot reload.</summary>
public sealed class FunctionHostRuntimeTests
{
    private static JsonObject Ok(FunctionInvocationResult r)
    {
        Assert.True(r.Status == FunctionInvocationStatus.Succeeded, $"{r.Status} {r.ErrorType}: {r.ErrorMessage}\n{string.Join('\n', r.Logs)}");
        return JsonNode.Parse(r.Payload.Span)!.AsObject();
    }

    [Fact]
    public async Task InvokeAsync_Environment_IsTheOneLambdaProvidesPointedAtOpenSma()
    {
        using var code = new TempDirectory();
        code.Write("index.js", """
            exports.handler = async (event, context) => ({
              env: process.env,
              context: {
                functionName: context.functionName,
                functionVersion: context.functionVersion,
                invokedFunctionArn: context.invokedFunctionArn,
                memoryLimitInMB: context.memoryLimitInMB,
                awsRequestId: context.awsRequestId,
                logGroupName: context.logGroupName,
                callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
              },
            });
            """);
        await using var scope = new FunctionHostScope(o => o.ServiceBaseUrl = new Uri("http://127.0.0.1:9999"));
        scope.Add("envy", "nodejs20.x", "index.handler", code.Path,
            environment: new Dictionary<string, string> { ["GREETING"] = "hello", ["AWS_LAMBDA_FUNCTION_NAME"] = "spoofed" });

        var result = await scope.InvokeAsync("envy", new JsonObject());
        var reply = Ok(result);
        var env = reply["env"]!.AsObject();
        string Env(string name) => env[name]!.GetValue<string>();

        Assert.Equal("us-east-1", Env("AWS_REGION"));
        Assert.Equal("envy", Env("AWS_LAMBDA_FUNCTION_NAME"));
        Assert.Equal("128", Env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"));
        Assert.Equal("$LATEST", Env("AWS_LAMBDA_FUNCTION_VERSION"));
        Assert.Equal("index.handler", Env("_HANDLER"));
        Assert.Equal(code.Path, Env("LAMBDA_TASK_ROOT"));
        Assert.Equal("AWS_Lambda_nodejs20.x", Env("AWS_EXECUTION_ENV"));
        Assert.Matches(@"^127\.0\.0\.1:\d+$", Env("AWS_LAMBDA_RUNTIME_API"));
        Assert.Equal("hello", Env("GREETING"));
        Assert.Equal(scope.Options.DevAccessKeyId, Env("AWS_ACCESS_KEY_ID"));
        Assert.Equal(scope.Options.DevSecretAccessKey, Env("AWS_SECRET_ACCESS_KEY"));
        foreach (var name in new[] { "AWS_ENDPOINT_URL_CHIME_SDK_VOICE", "AWS_ENDPOINT_URL_CHIME", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_LAMBDA" })
            Assert.Equal("http://127.0.0.1:9999", Env(name));
        Assert.StartsWith("Root=1-", Env("_X_AMZN_TRACE_ID"), StringComparison.Ordinal);

        var context = reply["context"]!.AsObject();
        Assert.Equal("envy", context["functionName"]!.GetValue<string>());
        Assert.Equal("$LATEST", context["functionVersion"]!.GetValue<string>());
        Assert.Equal(scope.Arn("envy"), context["invokedFunctionArn"]!.GetValue<string>());
        Assert.Equal("128", context["memoryLimitInMB"]!.GetValue<string>());
        Assert.Equal(result.RequestId, context["awsRequestId"]!.GetValue<string>());
        Assert.Equal("/aws/lambda/envy", context["logGroupName"]!.GetValue<string>());
        Assert.True(context["callbackWaitsForEmptyEventLoop"]!.GetValue<bool>());
    }

    [Fact]
    public async Task InvokeAsync_DevModeOff_InjectsNoCredentials()
    {
        using var code = new TempDirectory();
        code.Write("app.py", """
            import os
            def handler(event, context):
                return {"key": os.environ.get("AWS_ACCESS_KEY_ID"), "remaining": context.get_remaining_time_in_millis(),
                        "arn": context.invoked_function_arn, "request": context.aws_request_id}
            """);
        await using var scope = new FunctionHostScope(o => o.DevMode = false);
        scope.Add("py", "python3.12", "app.handler", code.Path, timeout: 20);

        var result = await scope.InvokeAsync("py", new JsonObject());
        var reply = Ok(result);

        Assert.Null(reply["key"]);
        Assert.InRange(reply["remaining"]!.GetValue<int>(), 1, 20_000);
        Assert.Equal(scope.Arn("py"), reply["arn"]!.GetValue<string>());
        Assert.Equal(result.RequestId, reply["request"]!.GetValue<string>());
    }

    [Fact]
    public async Task InvokeAsync_CallbackWithPendingWork_AnswersAfterTheEventLoopDrains()
    {
        using var code = new TempDirectory();
        code.Write("index.js", """
            const fs = require('node:fs');
            exports.handler = (event, context, callback) => {
              setTimeout(() => fs.writeFileSync(event.file, 'late work done'), 300);
              callback(null, { answered: true });
            };
            """);
        await using var scope = new FunctionHostScope();
        scope.Add("cb", "nodejs18.x", "index.handler", code.Path);
        var file = code.Combine("late.txt");

        var reply = Ok(await scope.InvokeAsync("cb", new JsonObject { ["file"] = file }));

        Assert.True(reply["answered"]!.GetValue<bool>());
        Assert.True(File.Exists(file), "callbackWaitsForEmptyEventLoop=true answers only after pending timers ran");
        File.Delete(file);
        Assert.True(Ok(await scope.InvokeAsync("cb", new JsonObject { ["file"] = file }))["answered"]!.GetValue<bool>());
    }

    [Fact]
    public async Task InvokeAsync_CallbackWithoutWaitingForEventLoop_AnswersBeforePendingWork()
    {
        using var code = new TempDirectory();
        code.Write("index.js", """
            const fs = require('node:fs');
            exports.handler = (event, context, callback) => {
              context.callbackWaitsForEmptyEventLoop = false;
              setTimeout(() => fs.writeFileSync(event.file, 'late work done'), 60000).unref();
              callback(null, { answered: true });
            };
            """);
        await using var scope = new FunctionHostScope();
        scope.Add("cb", "nodejs20.x", "index.handler", code.Path);
        var file = code.Combine("late.txt");

        var reply = Ok(await scope.InvokeAsync("cb", new JsonObject { ["file"] = file }));

        Assert.True(reply["answered"]!.GetValue<bool>());
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task InvokeAsync_ProvidedRuntime_RunsTheUsersBootstrapAgainstTheRuntimeApi()
    {
        using var code = new TempDirectory();
        var bootstrap = code.Write("bootstrap", """
            #!/bin/sh
            # The custom runtime from Lambda's tutorial: long-poll, answer, repeat.
            set -eu
            echo "custom runtime up, handler $_HANDLER"
            while true; do
              HEADERS="$(mktemp)"
              EVENT=$(curl -sS -LD "$HEADERS" "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next")
              REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
              DEADLINE=$(grep -Fi Lambda-Runtime-Deadline-Ms "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
              echo "got $REQUEST_ID"
              curl -sS -X POST "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$REQUEST_ID/response" \
                -d "{\"echo\":$EVENT,\"deadline\":$DEADLINE,\"handler\":\"$_HANDLER\"}" > /dev/null
            done
            """);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(bootstrap, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var scope = new FunctionHostScope();
        scope.Add("custom", "provided.al2023", "function.handler", code.Path, timeout: 10);

        var result = await scope.InvokeAsync("custom", SmaEvents.NewInboundCall());
        var reply = Ok(result);

        Assert.Equal("NEW_INBOUND_CALL", reply["echo"]!["InvocationEventType"]!.GetValue<string>());
        Assert.Equal("function.handler", reply["handler"]!.GetValue<string>());
        Assert.Equal((scope.Time.GetUtcNow() + TimeSpan.FromSeconds(10)).ToUnixTimeMilliseconds(), reply["deadline"]!.GetValue<long>());
        var second = Ok(await scope.InvokeAsync("custom", SmaEvents.Hangup(2)));
        Assert.Equal("HANGUP", second["echo"]!["InvocationEventType"]!.GetValue<string>());
    }

    [Fact]
    public async Task InvokeAsync_MissingCustomBootstrap_ReportsInvalidEntrypoint()
    {
        using var code = new TempDirectory();
        code.Write("README", "no bootstrap here");
        await using var scope = new FunctionHostScope();
        scope.Add("custom", "provided.al2023", "function.handler", code.Path);

        var result = await scope.InvokeAsync("custom", new JsonObject());

        Assert.Equal(FunctionInvocationStatus.InitError, result.Status);
        Assert.Equal("Runtime.InvalidEntrypoint", result.ErrorType);
    }

    [Fact]
    public async Task InvokeAsync_CodeDirectoryChanged_NextInvocationRunsNewCodeInFreshProcess()
    {
        using var code = new TempDirectory();
        code.Write("index.js", "exports.handler = async () => ({ version: 'one', pid: process.pid });");
        await using var scope = new FunctionHostScope();
        scope.Add("live", "nodejs20.x", "index.handler", code.Path);

        var first = Ok(await scope.InvokeAsync("live", new JsonObject()));
        var warm = Ok(await scope.InvokeAsync("live", new JsonObject()));
        code.Write("index.js", "exports.handler = async () => ({ version: 'two, edited', pid: process.pid });");
        var reloaded = Ok(await scope.InvokeAsync("live", new JsonObject()));

        Assert.Equal("one", first["version"]!.GetValue<string>());
        Assert.Equal(first["pid"]!.GetValue<int>(), warm["pid"]!.GetValue<int>());
        Assert.Equal("two, edited", reloaded["version"]!.GetValue<string>());
        Assert.NotEqual(first["pid"]!.GetValue<int>(), reloaded["pid"]!.GetValue<int>());
    }

    [Fact]
    public async Task InvokeAsync_ConfigurationUpdated_RecyclesWarmSandbox()
    {
        using var code = new TempDirectory();
        code.Write("app.py", "import os\ndef handler(event, context):\n    return {'mode': os.environ.get('MODE'), 'pid': os.getpid()}\n");
        await using var scope = new FunctionHostScope();
        scope.Add("cfg", "python3.11", "app.handler", code.Path, environment: new Dictionary<string, string> { ["MODE"] = "a" });

        var first = Ok(await scope.InvokeAsync("cfg", new JsonObject()));
        scope.Host.Registry.UpdateConfiguration("cfg", d => d with { Environment = new Dictionary<string, string> { ["MODE"] = "b" } });
        var second = Ok(await scope.InvokeAsync("cfg", new JsonObject()));

        Assert.Equal("a", first["mode"]!.GetValue<string>());
        Assert.Equal("b", second["mode"]!.GetValue<string>());
        Assert.NotEqual(first["pid"]!.GetValue<int>(), second["pid"]!.GetValue<int>());
    }

    [Fact]
    public async Task InvokeAsync_JsFileInModulePackage_IsLoadedAsEsModuleFromSubfolder()
    {
        using var code = new TempDirectory();
        code.Write("package.json", "{ \"type\": \"module\" }");
        code.Write("src/app.js", "export const handler = async () => ({ esm: typeof require === 'undefined' });");
        await using var scope = new FunctionHostScope();
        scope.Add("esm", "nodejs22.x", "src/app.handler", code.Path);

        var reply = Ok(await scope.InvokeAsync("esm", new JsonObject()));

        Assert.True(reply["esm"]!.GetValue<bool>());
    }
}
