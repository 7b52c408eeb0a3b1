using System.Text.Json;
using OpenSma.EndToEnd.Tests.Support;

namespace OpenSma.EndToEnd.Tests.Functions;

/// <summary>
/// The .NET class-library example (examples/functions/dotnet) as a local dotnet8 function driving a
/// virtual call through the real <c>opensma call</c>: the event/action sequence, and its console
/// lines in the trace tagged with the request id and the SMA TransactionId.
/// </summary>
public sealed class DotnetExampleCallTests : IDisposable
{
    private const string Handler = "OpenSma.Examples.DotnetHandler::OpenSma.Examples.DotnetHandler.Function::HandleAsync";
    private readonly string _work = Path.Combine(Path.GetTempPath(), "opensma-dotnet-fn-" + Guid.NewGuid().ToString("N"));

    public DotnetExampleCallTests() => Directory.CreateDirectory(_work);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task DotnetExample_SpeaksThenHangsUp_LogsTaggedInTrace()
    {
        var code = await ExampleOutputAsync();
        var config = Path.Combine(_work, "opensma.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            Functions = new { Functions = new[] { new { Name = "dotnet-ivr", Runtime = "dotnet8", Handler, CodeDirectory = code, Timeout = 30 } } },
        }));

        var result = await ExternalProcess.RunAsync(
            "dotnet",
            [
                TestProcess.Opensma, "call", "--fast", "--json", "--data-dir", Path.Combine(_work, ".opensma"), "--config", config,
                "--max-duration", "2m", "--hangup-after", "5s", "--handler", "arn:aws:lambda:us-east-1:111122223333:function:dotnet-ivr",
            ],
            TimeSpan.FromMinutes(3));

        Assert.True(result.Exit == 0, $"exit {result.Exit}: {result.Stderr}\n{result.Stdout}");
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        var events = lines.Where(l => l.GetProperty("kind").GetString() == "event").Select(l => l.GetProperty("event")).ToList();
        // Speak (espeak-ng) plays, then the handler's Hangup ends the call: HANGUP follows.
        Assert.Equal(["NEW_INBOUND_CALL", "HANGUP"], events.Select(e => e.GetProperty("InvocationEventType").GetString()));
        var transactionId = events[0].GetProperty("CallDetails").GetProperty("TransactionId").GetString()!;
        var replies = lines.Where(l => l.GetProperty("kind").GetString() == "reply").ToList();
        Assert.Equal(2, replies.Count);
        var first = replies[0];
        Assert.Equal("Ok", first.GetProperty("outcome").GetString());
        Assert.Equal(["Speak", "Hangup"], first.GetProperty("body").GetProperty("Actions").EnumerateArray().Select(a => a.GetProperty("Type").GetString()));
        Assert.Equal("You are calling from +15559870000.", first.GetProperty("body").GetProperty("Actions")[0].GetProperty("Parameters").GetProperty("Text").GetString());
        Assert.Equal("dotnet", events[1].GetProperty("CallDetails").GetProperty("TransactionAttributes").GetProperty("handler").GetString());
        Assert.Contains(lines, l => l.GetProperty("kind").GetString() == "action" && l.GetProperty("action").GetString() == "Speak"
            && l.GetProperty("state").GetString() != "started" && !l.GetProperty("state").GetString()!.StartsWith("failed", StringComparison.Ordinal));

        // Each reply carries the handler's own line, tagged with its request id and the transaction; the instance stays warm.
        var expected = new[] { "NEW_INBOUND_CALL", "HANGUP" };
        for (var i = 0; i < expected.Length; i++)
        {
            var logs = replies[i].GetProperty("logs").EnumerateArray().Select(l => l.GetString()!).ToList();
            var start = Assert.Single(logs, l => l.Contains("platform: START RequestId: ", StringComparison.Ordinal));
            var requestId = start[(start.IndexOf("START RequestId: ", StringComparison.Ordinal) + "START RequestId: ".Length)..].Split(' ')[0];
            var stdout = Assert.Single(logs, l => l.Contains(" stdout: ", StringComparison.Ordinal));
            Assert.Contains($"dotnet-ivr RequestId={requestId} TransactionId={transactionId} stdout: {expected[i]} in dotnet-ivr ({requestId}), warm invocation {i + 1}", stdout, StringComparison.Ordinal);
        }
    }

    /// <summary>The example's build output (built with the solution; built here when a lone test run has not).</summary>
    private static async Task<string> ExampleOutputAsync()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Release" : "Debug";
        var project = Path.Combine(TestProcess.RepoRoot, "examples", "functions", "dotnet");
        var output = Path.Combine(project, "bin", configuration, "net10.0");
        if (!File.Exists(Path.Combine(output, "OpenSma.Examples.DotnetHandler.dll")))
        {
            var build = await ExternalProcess.RunAsync("dotnet", ["build", project, "-c", configuration, "--nologo", "-v", "q"], TimeSpan.FromMinutes(5));
            Assert.True(build.Exit == 0, "building the example failed: " + build.Stdout + build.Stderr);
        }

        return output;
    }
}
