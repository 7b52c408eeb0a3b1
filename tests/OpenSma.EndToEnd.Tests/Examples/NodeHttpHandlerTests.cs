using System.Diagnostics;
using System.Text.Json;
using OpenSma.EndToEnd.Tests.Support;

namespace OpenSma.EndToEnd.Tests.Examples;

/// <summary>
/// Runs examples/node-http-handler with Node and drives calls through the real <c>opensma call</c>
/// executable on virtual time, checking the event sequence the handler saw and the exit code.
/// </summary>
public sealed class NodeHttpHandlerTests : IAsyncLifetime
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "opensma-e2e-" + Guid.NewGuid().ToString("N"));
    private LoggedProcess? _node;
    private int _port;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_work);
        var example = Path.Combine(TestProcess.RepoRoot, "examples", "node-http-handler");
        var prompts = await ExternalProcess.RunAsync("node", [Path.Combine(example, "make-prompts.js"), Path.Combine(_work, ".opensma")], TimeSpan.FromSeconds(30));
        Assert.Equal(0, prompts.Exit);

        _port = FreePorts.Tcp();
        _node = LoggedProcess.Start(new ProcessStartInfo("node", [Path.Combine(example, "server.js")])
        {
            Environment = { ["PORT"] = _port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        });
        await _node.WaitForTextAsync("listening", TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Example_PressOne_GreetingMenuBridgeAttributesAndHangup()
    {
        var (exit, output) = await CallAsync("--digits", "1@3s", "--callee", "+14155550123=answer@2s;hangup=5s", "--record", Path.Combine(_work, "heard"));

        Assert.Equal(0, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var events = lines.Where(l => l.GetProperty("kind").GetString() == "event").Select(l => l.GetProperty("event")).ToList();
        Assert.Equal(
            ["NEW_INBOUND_CALL", "ACTION_SUCCESSFUL", "ACTION_SUCCESSFUL", "HANGUP", "HANGUP"],
            events.Select(e => e.GetProperty("InvocationEventType").GetString()));
        Assert.Equal("1", events[1].GetProperty("ActionData").GetProperty("ReceivedDigits").GetString());
        Assert.Equal("CallAndBridge", events[2].GetProperty("ActionData").GetProperty("Type").GetString());
        var attributes = events[2].GetProperty("CallDetails").GetProperty("TransactionAttributes");
        Assert.Equal("bridging", attributes.GetProperty("state").GetString());
        Assert.Equal("1", attributes.GetProperty("choice").GetString());
        Assert.Equal("LEG-B", events[3].GetProperty("ActionData").GetProperty("Parameters").GetProperty("ParticipantTag").GetString());
        Assert.Equal("LEG-A", events[4].GetProperty("ActionData").GetProperty("Parameters").GetProperty("ParticipantTag").GetString());
        Assert.Equal("all legs ended", lines[^1].GetProperty("reason").GetString());

        // What the caller heard was saved: welcome, menu, connecting, then the bridged call.
        var heard = await File.ReadAllBytesAsync(Path.Combine(_work, "heard", "caller-heard.wav"));
        Assert.InRange((heard.Length - 44) / 16000.0, 10.0, 11.0);
        Assert.True(File.Exists(Path.Combine(_work, "heard", "14155550123-heard.wav")));
    }

    [Fact]
    public async Task Example_PressTwo_GoodbyeAndHangup()
    {
        var (exit, output) = await CallAsync("--digits", "2@2s");
        Assert.Equal(0, exit);
        var events = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.GetProperty("kind").GetString() == "event")
            .Select(l => l.GetProperty("type").GetString())
            .ToList();
        Assert.Equal(["NEW_INBOUND_CALL", "ACTION_SUCCESSFUL", "HANGUP"], events);
    }

    [Fact]
    public async Task Call_HandlerUnreachable_ExitsWithHandlerFailure()
    {
        var (exit, output) = await CallAsync(["--handler", $"http://127.0.0.1:{FreePorts.Tcp()}/"], includeHandler: false);
        Assert.Equal(1, exit);
        Assert.Contains("handler invocation failed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_BadDigitsOption_ExitsWithUsageError()
    {
        var (exit, _) = await CallAsync("--digits", "X@1s");
        Assert.Equal(2, exit);
    }

    private Task<(int ExitCode, string Output)> CallAsync(params string[] args) => CallAsync(args, includeHandler: true);

    private async Task<(int ExitCode, string Output)> CallAsync(string[] args, bool includeHandler)
    {
        List<string> all = [TestProcess.Opensma, "call", "--fast", "--json", "--data-dir", Path.Combine(_work, ".opensma"), "--max-duration", "2m"];
        if (includeHandler)
        {
            all.AddRange(["--handler", $"http://127.0.0.1:{_port}/"]);
        }

        all.AddRange(args);
        var result = await ExternalProcess.RunAsync("dotnet", all, TimeSpan.FromMinutes(2));
        return (result.Exit, result.Stdout + result.Stderr);
    }
}
