using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Functions.Hosting;
using OpenSma.Functions.LambdaApi;

namespace OpenSma.Functions.Tests.TestSupport;

/// <summary>A real Kestrel server on a free loopback port with AddOpenSmaFunctions + MapLambdaApi.</summary>
internal sealed class LambdaApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TempDirectory? _work;

    private LambdaApiServer(WebApplication app, Uri baseUrl, TempDirectory? work)
    {
        _app = app;
        BaseUrl = baseUrl;
        _work = work;
    }

    public Uri BaseUrl { get; }

    /// <summary>
    /// The real AWS CLI's <c>aws lambda ...</c> against this server with a fixed key; its config and
    /// credentials files are looked for in <paramref name="workDir"/> (where there are none), so
    /// nothing from the machine's AWS setup leaks in.
    /// </summary>
    public Task<ProcessOutput> AwsLambdaAsync(string workDir, params string[] args) =>
        ProcessRunner.RunAsync("aws", ["lambda", .. args, "--endpoint-url", BaseUrl.ToString().TrimEnd('/'), "--output", "json"],
            new Dictionary<string, string>
            {
                ["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE",
                ["AWS_SECRET_ACCESS_KEY"] = "secret",
                ["AWS_DEFAULT_REGION"] = "us-east-1",
                ["AWS_CONFIG_FILE"] = Path.Combine(workDir, "no-config"),
                ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(workDir, "no-credentials"),
                ["AWS_PAGER"] = "",
            },
            workDir);

    public FunctionHost Host => _app.Services.GetRequiredService<FunctionHost>();

    /// <param name="workDirectory">The functions' work folder (kept: the caller owns it); null: a scratch folder removed at the end.</param>
    /// <param name="durable">Save and reload the functions there, as <c>opensma serve</c> does.</param>
    public static async Task<LambdaApiServer> StartAsync(string? workDirectory = null, bool durable = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var scratch = workDirectory is null ? new TempDirectory() : null;
        var work = workDirectory ?? scratch!.Path;
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(DateTimeOffset.UtcNow));
        builder.Services.AddOpenSmaFunctions(o =>
        {
            o.WorkDirectory = work;
            o.AccountId = "111122223333";
            o.Durable = durable;
        });
        var app = builder.Build();
        app.MapLambdaApi();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new LambdaApiServer(app, new Uri(address), scratch);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _work?.Dispose();
    }
}
