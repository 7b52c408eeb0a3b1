using System.CommandLine;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenSma.Functions.Hosting;
using OpenSma.Functions.LambdaApi;
using OpenSma.Testing;

namespace OpenSma.Host.Tests.Cli;

/// <summary>
/// <c>opensma functions</c> parsed and run as the executable does, against a real Lambda API
/// server (Kestrel on a free loopback port) with real Node.js sandboxes, or against a configuration file.
/// </summary>
public sealed class FunctionsCommandTests : IAsyncLifetime
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "opensma-host-fn-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;
    private string _url = "";

    private FunctionHost Functions => _app!.Services.GetRequiredService<FunctionHost>();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_work);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Services.AddOpenSmaFunctions(o => o.WorkDirectory = Path.Combine(_work, "functions"));
        _app = builder.Build();
        _app.MapLambdaApi();
        await _app.StartAsync();
        _url = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await Functions.DisposeAsync();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await Program.BuildRoot().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    private string Code(string source)
    {
        var dir = Path.Combine(_work, "code-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "index.js"), source);
        return dir;
    }

    [Fact]
    public async Task AddListLogsRemove_AgainstServer_ActOnItsFunctions()
    {
        var code = Code("exports.handler = async (e) => { console.log('hello from', process.env.WHO, e.n); return e.n; };");

        var add = await RunAsync("functions", "add", "greeter", "--runtime", "nodejs20.x", "--code", code, "--env", "WHO=cli",
            "--memory", "256", "--timeout", "15", "--reserved-concurrency", "2", "--api-url", _url);
        var invoked = await Functions.InvokeAsync("greeter", "{\"n\":5}"u8.ToArray(), "tx-cli", CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(90));
        await Functions.InvokeAsync("greeter", "{\"n\":6}"u8.ToArray(), "tx-other", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(90));
        var list = await RunAsync("functions", "list", "--json", "--api-url", _url);
        var logs = await RunAsync("functions", "logs", "greeter", "--transaction-id", "tx-cli", "--api-url", _url);
        var remove = await RunAsync("functions", "remove", "greeter", "--api-url", _url);
        var removeAgain = await RunAsync("functions", "remove", "greeter", "--api-url", _url);

        Assert.True(add.Exit == 0, add.Err);
        var listed = Assert.Single(JsonNode.Parse(list.Out)!.AsArray())!;
        Assert.Equal("greeter", listed["name"]!.GetValue<string>());
        Assert.Equal(256, listed["memorySize"]!.GetValue<int>());
        Assert.Equal(15, listed["timeout"]!.GetValue<int>());
        Assert.Equal(2, listed["reservedConcurrency"]!.GetValue<int>());
        Assert.Equal(Path.GetFullPath(code), listed["code"]!.GetValue<string>());
        Assert.Equal(0, logs.Exit);
        var logLines = logs.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(logLines, l => l.Contains($"RequestId={invoked.RequestId} TransactionId=tx-cli stdout:", StringComparison.Ordinal)
            && l.EndsWith("INFO\thello from cli 5", StringComparison.Ordinal));
        Assert.DoesNotContain(logLines, l => l.Contains("tx-other", StringComparison.Ordinal));
        Assert.Equal(0, remove.Exit);
        Assert.Empty(Functions.List());
        Assert.Equal(1, removeAgain.Exit);
        Assert.Contains("no function named 'greeter'", removeAgain.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_BadRuntimeOrMissingCode_ExitsTwoWithReason()
    {
        var code = Code("exports.handler = async () => 1;");

        var badRuntime = await RunAsync("functions", "add", "x", "--runtime", "cobol", "--code", code, "--api-url", _url);
        var missingCode = await RunAsync("functions", "add", "x", "--runtime", "nodejs20.x", "--code", Path.Combine(_work, "none"), "--api-url", _url);
        var badEnv = await RunAsync("functions", "add", "x", "--runtime", "nodejs20.x", "--code", code, "--env", "NOEQUALS", "--api-url", _url);

        Assert.Equal(2, badRuntime.Exit);
        Assert.Contains("Runtime 'cobol' is not supported", badRuntime.Err, StringComparison.Ordinal);
        Assert.Equal(2, missingCode.Exit);
        Assert.Contains("is neither a folder nor a .zip file", missingCode.Err, StringComparison.Ordinal);
        Assert.Equal(2, badEnv.Exit);
        Assert.Contains("must be NAME=VALUE", badEnv.Err, StringComparison.Ordinal);
        Assert.Empty(Functions.List());
    }

    [Fact]
    public async Task List_NoServer_SaysHowToStartOne()
    {
        var port = FreePorts.Tcp();

        var list = await RunAsync("functions", "list", "--api-url", $"http://127.0.0.1:{port}");

        Assert.Equal(1, list.Exit);
        Assert.Contains("no OpenSMA server answered", list.Err, StringComparison.Ordinal);
        Assert.Contains("opensma serve", list.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddListRemove_WithConfig_EditTheFileWithoutAServer()
    {
        var config = Path.Combine(_work, "opensma.json");
        var code = Code("exports.handler = async () => 1;");

        var add = await RunAsync("functions", "add", "ivr", "--runtime", "nodejs22.x", "--code", code, "--timeout", "8", "--config", config);
        var written = JsonNode.Parse(File.ReadAllText(config))!["Functions"]!["Functions"]![0]!;
        var list = await RunAsync("functions", "list", "--config", config);
        var remove = await RunAsync("functions", "remove", "ivr", "--config", config);

        Assert.True(add.Exit == 0, add.Err);
        Assert.Equal(("ivr", "nodejs22.x", 8), (written["Name"]!.GetValue<string>(), written["Runtime"]!.GetValue<string>(), written["Timeout"]!.GetValue<int>()));
        Assert.Equal(Path.GetFullPath(code), written["CodeDirectory"]!.GetValue<string>());
        Assert.Contains("ivr", list.Out, StringComparison.Ordinal);
        Assert.Contains("nodejs22.x", list.Out, StringComparison.Ordinal);
        Assert.Contains(Path.GetFullPath(code), list.Out, StringComparison.Ordinal);
        Assert.Equal(0, remove.Exit);
        Assert.Empty(JsonNode.Parse(File.ReadAllText(config))!["Functions"]!["Functions"]!.AsArray());
        Assert.Empty(Functions.List()); // the server was not touched
    }
}
