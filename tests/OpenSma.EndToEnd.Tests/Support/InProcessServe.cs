using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using OpenSma.Host.Cli;

namespace OpenSma.EndToEnd.Tests.Support;

/// <summary>
/// <c>opensma serve</c> built in this process (<see cref="ServeCommand.Build"/>) without SIP, so
/// outbound calls ring virtual phones that answer: a scratch work directory, a data directory in
/// it and a free API port. Stopped and its directory removed on dispose.
/// </summary>
internal sealed class InProcessServe : IAsyncDisposable
{
    private InProcessServe(string workDirectory, string apiUrl, WebApplication app)
    {
        WorkDirectory = workDirectory;
        ApiUrl = apiUrl;
        App = app;
    }

    public string WorkDirectory { get; }

    public string DataDirectory => Path.Combine(WorkDirectory, "data");

    public string ApiUrl { get; }

    public WebApplication App { get; }

    public static async Task<InProcessServe> StartAsync(string name)
    {
        var work = Directory.CreateTempSubdirectory($"opensma-{name}-").FullName;
        var apiUrl = $"http://127.0.0.1:{FreePorts.Tcp()}";
        var app = ServeCommand.Build(Path.Combine(work, "data"), apiUrl, "127.0.0.1", sipPort: 0);
        await app.StartAsync();
        return new InProcessServe(work, apiUrl, app);
    }

    /// <summary>An AWS CLI command against this server (<c>s3 cp ...</c>, <c>lambda invoke ...</c>); fails the test when it fails; returns stdout.</summary>
    public async Task<string> AwsAsync(params string[] args)
    {
        var (exit, stdout, stderr) = await TestProcess.AwsAsync(ApiUrl, "AKIDEXAMPLE", "secret", args);
        Assert.True(exit == 0, $"aws {string.Join(' ', args)} failed: {stderr}");
        return stdout;
    }

    /// <summary>An <c>aws chime-sdk-voice</c> command; its JSON output (default when it prints nothing).</summary>
    public async Task<JsonElement> ChimeAsync(params string[] args)
    {
        var stdout = await AwsAsync(["chime-sdk-voice", .. args]);
        return stdout.Length == 0 ? default : JsonDocument.Parse(stdout).RootElement.Clone();
    }

    /// <summary>Creates an SMA whose endpoint is <paramref name="endpoint"/>; returns its id.</summary>
    public async Task<string> CreateSmaAsync(string name, string endpoint)
    {
        var sma = await ChimeAsync("create-sip-media-application", "--aws-region", "us-east-1", "--name", name, "--endpoints", $"LambdaArn={endpoint}");
        return sma.GetProperty("SipMediaApplication").GetProperty("SipMediaApplicationId").GetString()!;
    }

    /// <summary>The real <c>opensma</c> executable with <c>--api-url</c> pointing here.</summary>
    public Task<ProcessResult> OpensmaAsync(params string[] args) =>
        ExternalProcess.RunAsync("dotnet", [TestProcess.Opensma, .. args, "--api-url", ApiUrl], TimeSpan.FromMinutes(1));

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
