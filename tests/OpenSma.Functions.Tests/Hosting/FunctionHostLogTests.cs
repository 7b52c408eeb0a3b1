using System.Text.Json.Nodes;
using OpenSma.Functions.Invocation;
using OpenSma.Functions.Logs;
using OpenSma.Functions.Tests.TestSupport;

namespace OpenSma.Functions.Tests.Hosting;

/// <summary>Each invocation's output is tagged with its own request id and TransactionId, on every runtime.</summary>
public sealed class FunctionHostLogTests
{
    [Fact]
    public async Task InvokeAsync_CustomRuntimeLogsAfterReplying_LateLinesBelongToThatInvocation()
    {
        using var code = new TempDirectory();
        var bootstrap = code.Write("bootstrap", """
            #!/bin/sh
            set -eu
            while true; do
              HEADERS="$(mktemp)"
              EVENT=$(curl -sS -LD "$HEADERS" "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next")
              REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
              echo "before reply $REQUEST_ID"
              curl -sS -X POST "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$REQUEST_ID/response" -d '"ok"' > /dev/null
              echo "after reply $REQUEST_ID" >&2
            done
            """);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(bootstrap, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var scope = new FunctionHostScope();
        scope.Add("custom", "provided.al2023", "function.handler", code.Path, timeout: 10);

        var first = await scope.InvokeAsync("custom", new JsonObject(), transactionId: "tx-first");
        // The custom runtime writes no end marker: wait until its late line has been read from the pipe.
        await Eventually.UntilAsync(() => first.Logs.Any(l => l.Text == "after reply " + first.RequestId)
            || scope.Host.PendingOutputLines("custom") > 0, "the line printed after the reply");
        var second = await scope.InvokeAsync("custom", new JsonObject(), transactionId: "tx-second");

        Assert.Equal(FunctionInvocationStatus.Succeeded, first.Status);
        Assert.Equal(FunctionInvocationStatus.Succeeded, second.Status);
        Assert.DoesNotContain(second.Logs, l => l.Text.Contains(first.RequestId, StringComparison.Ordinal));
        var late = Assert.Single(scope.Host.ReadLogs("custom"), l => l.Text == "after reply " + first.RequestId);
        Assert.Equal((first.RequestId, "tx-first", FunctionLogStream.Stderr), (late.RequestId, late.TransactionId, late.Stream));
        var before = Assert.Single(scope.Host.ReadLogs("custom", transactionId: "tx-second"), l => l.Text.StartsWith("before reply", StringComparison.Ordinal));
        Assert.Equal("before reply " + second.RequestId, before.Text);
        Assert.Equal(second.RequestId, before.RequestId);
    }

    [Fact]
    public async Task InvokeAsync_NodeTimerLogsAfterReply_GoesToTheInvocationThatStartedIt()
    {
        using var code = new TempDirectory();
        code.Write("index.js", """
            exports.handler = async (event, context) => {
              setTimeout(() => console.log('late from', context.awsRequestId), 300);
              return 'ok';
            };
            """);
        await using var scope = new FunctionHostScope();
        scope.Add("timer", "nodejs20.x", "index.handler", code.Path);

        var first = await scope.InvokeAsync("timer", new JsonObject(), transactionId: "tx-1");
        // Normally read after the reply was collected; on a slow machine it may make it into the reply's own log.
        await Eventually.UntilAsync(() => first.Logs.Any(l => l.Text.EndsWith("late from " + first.RequestId, StringComparison.Ordinal))
            || scope.Host.PendingOutputLines("timer") > 0, "the timer's line");
        var second = await scope.InvokeAsync("timer", new JsonObject(), transactionId: "tx-2");

        Assert.DoesNotContain(second.Logs, l => l.Text.Contains("late from " + first.RequestId, StringComparison.Ordinal));
        var late = Assert.Single(scope.Host.ReadLogs("timer"), l => l.Text.EndsWith("late from " + first.RequestId, StringComparison.Ordinal));
        Assert.Equal((first.RequestId, "tx-1"), (late.RequestId, late.TransactionId));
    }
}
