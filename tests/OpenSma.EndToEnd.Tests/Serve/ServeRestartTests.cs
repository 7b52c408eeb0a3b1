using System.IO.Compression;
using System.Text.Json;
using OpenSma.EndToEnd.Tests.Support;
using OpenSma.Host.Cli;

namespace OpenSma.EndToEnd.Tests.Serve;

/// <summary>
/// <c>opensma serve</c> and its data directory: restarted on the same directory it keeps what the AWS
/// CLI deployed (a function, its version and its alias); a second serve on a directory in use stops
/// at start instead of sharing it.
/// </summary>
public sealed class ServeRestartTests
{
    [Fact]
    public async Task AwsCliLambda_FunctionVersionAndAlias_SurviveARestartOfServe()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "opensma-serve-restart-" + Guid.NewGuid().ToString("N"));
        var zip = Path.Combine(Path.GetTempPath(), "opensma-serve-restart-" + Guid.NewGuid().ToString("N") + ".zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            using var writer = new StreamWriter(archive.CreateEntry("index.js").Open());
            writer.Write("exports.handler = async () => ({ actions: [] });");
        }

        try
        {
            string sha;
            await using (var first = await StartAsync(dataDir))
            {
                var created = await LambdaAsync(first.Url, "create-function", "--function-name", "ivr", "--runtime", "nodejs20.x",
                    "--role", "arn:aws:iam::111122223333:role/x", "--handler", "index.handler", "--zip-file", "fileb://" + zip, "--publish");
                sha = created.GetProperty("CodeSha256").GetString()!;
                await LambdaAsync(first.Url, "create-alias", "--function-name", "ivr", "--name", "live", "--function-version", "1");
            }

            await using var second = await StartAsync(dataDir);
            var function = await LambdaAsync(second.Url, "get-function", "--function-name", "ivr");
            Assert.Equal(sha, function.GetProperty("Configuration").GetProperty("CodeSha256").GetString());
            var alias = await LambdaAsync(second.Url, "get-alias", "--function-name", "ivr", "--name", "live");
            Assert.Equal("1", alias.GetProperty("FunctionVersion").GetString());
        }
        finally
        {
            File.Delete(zip);
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task SecondServe_OnADataDirectoryInUse_IsRefused_UntilTheFirstStops()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "opensma-serve-lock-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (await StartAsync(dataDir))
            {
                var refused = Assert.Throws<InvalidOperationException>(() => ServeCommand.Build(dataDir, $"http://127.0.0.1:{FreePorts.Tcp()}", "127.0.0.1", sipPort: 0));
                Assert.Contains("is in use by another opensma serve", refused.Message, StringComparison.Ordinal);
                Assert.Contains(Path.GetFullPath(dataDir), refused.Message, StringComparison.Ordinal);
            }

            await using var next = await StartAsync(dataDir);
            Assert.NotNull(next.App);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static async Task<Running> StartAsync(string dataDir)
    {
        var url = $"http://127.0.0.1:{FreePorts.Tcp()}";
        var app = ServeCommand.Build(dataDir, url, "127.0.0.1", sipPort: 0);
        await app.StartAsync();
        return new Running(app, url);
    }

    private static async Task<JsonElement> LambdaAsync(string url, params string[] args)
    {
        var (exit, stdout, stderr) = await TestProcess.AwsAsync(url, "AKIDEXAMPLE", "secret", ["lambda", .. args]);
        Assert.True(exit == 0, $"aws lambda {args[0]} failed: {stderr}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    private sealed record Running(Microsoft.AspNetCore.Builder.WebApplication App, string Url) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
