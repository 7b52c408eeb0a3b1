using System.Text.Json;
using OpenSma.EndToEnd.Tests.Support;

namespace OpenSma.EndToEnd.Tests.Examples;

/// <summary>
/// The Lambda handlers in examples/functions, registered as local functions in a configuration
/// file, each drive a virtual call through the real <c>opensma call</c> executable: the SMA
/// endpoint is a Lambda ARN, the runtime is our own bootstrap, and the trace carries their logs.
/// </summary>
public sealed class LambdaExampleCallTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "opensma-lambda-" + Guid.NewGuid().ToString("N"));

    public LambdaExampleCallTests()
    {
        var bucket = Path.Combine(_work, ".opensma", "buckets", "opensma-prompts");
        Directory.CreateDirectory(bucket);
        File.WriteAllBytes(Path.Combine(bucket, "welcome.wav"), Media.Audio.WavWriter.WriteMono(
            Media.Audio.ToneGenerator.Beep(TimeSpan.FromSeconds(1), 440).Samples.Span));
    }

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
    public async Task NodeCallbackExample_GreetsThenHangsUp_ThroughALambdaArn()
    {
        var (exit, lines) = await CallAsync("node-callback", "nodejs20.x", "index.handler");

        Assert.Equal(0, exit);
        var events = Events(lines);
        Assert.Equal(["NEW_INBOUND_CALL", "ACTION_SUCCESSFUL", "HANGUP"], events.Select(e => e.GetProperty("InvocationEventType").GetString()));
        Assert.Equal("PlayAudio", events[1].GetProperty("ActionData").GetProperty("Type").GetString());
        Assert.Contains(lines, l => l.GetProperty("kind").GetString() == "reply" && l.TryGetProperty("logs", out var logs) && logs.GetArrayLength() > 0);
    }

    [Fact]
    public async Task NodeEsmExample_MenuDigitDuringSpeech_ConnectsToSalesAndHangsUp()
    {
        // The caller presses 1 while the menu is spoken (espeak-ng); the handler speaks its choice and hangs up.
        var (exit, lines) = await CallAsync("node-esm", "nodejs22.x", "index.handler", "--digits", "1@1s", "--hangup-after", "60s");

        Assert.Equal(0, exit);
        var events = Events(lines);
        Assert.Equal(["NEW_INBOUND_CALL", "ACTION_SUCCESSFUL", "HANGUP"], events.Select(e => e.GetProperty("InvocationEventType").GetString()));
        Assert.Equal("SpeakAndGetDigits", events[1].GetProperty("ActionData").GetProperty("Type").GetString());
        Assert.Equal("1", events[1].GetProperty("ActionData").GetProperty("ReceivedDigits").GetString());
        Assert.Equal("main", events[1].GetProperty("CallDetails").GetProperty("TransactionAttributes").GetProperty("menu").GetString());
        Assert.Equal("sales", events[2].GetProperty("CallDetails").GetProperty("TransactionAttributes").GetProperty("menu").GetString());
    }

    [Fact]
    public async Task PythonExample_CountsInAttributes_SpeaksTwice_ThenHangsUp()
    {
        var (exit, lines) = await CallAsync("python", "python3.11", "app.lambda_handler");

        Assert.Equal(0, exit);
        var events = Events(lines);
        Assert.Equal(["NEW_INBOUND_CALL", "ACTION_SUCCESSFUL", "ACTION_SUCCESSFUL", "HANGUP"], events.Select(e => e.GetProperty("InvocationEventType").GetString()));
        Assert.Equal("2", events[2].GetProperty("CallDetails").GetProperty("TransactionAttributes").GetProperty("count").GetString());
        Assert.Equal("Speak", events[1].GetProperty("ActionData").GetProperty("Type").GetString());
        var logs = lines.Where(l => l.TryGetProperty("logs", out _)).SelectMany(l => l.GetProperty("logs").EnumerateArray()).Select(l => l.GetString()!).ToList();
        Assert.Contains(logs, l => l.Contains("NEW_INBOUND_CALL #1", StringComparison.Ordinal));
    }

    private static List<JsonElement> Events(List<JsonElement> lines) =>
        [.. lines.Where(l => l.GetProperty("kind").GetString() == "event").Select(l => l.GetProperty("event"))];

    private async Task<(int Exit, List<JsonElement> Lines)> CallAsync(string example, string runtime, string handler, params string[] extra)
    {
        var config = Path.Combine(_work, "opensma.json");
        var code = Path.Combine(TestProcess.RepoRoot, "examples", "functions", example);
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            Functions = new
            {
                Functions = new[] { new { Name = example, Runtime = runtime, Handler = handler, CodeDirectory = code, Timeout = 10 } },
            },
        }));
        var result = await ExternalProcess.RunAsync(
            "dotnet",
            [
                TestProcess.Opensma, "call", "--fast", "--json", "--data-dir", Path.Combine(_work, ".opensma"), "--config", config,
                "--max-duration", "2m", "--handler", $"arn:aws:lambda:us-east-1:111122223333:function:{example}", .. extra,
            ],
            TimeSpan.FromMinutes(2));
        Assert.True(result.Stdout.Length > 0, "no trace; stderr: " + result.Stderr);
        return (result.Exit, [.. result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())]);
    }
}
