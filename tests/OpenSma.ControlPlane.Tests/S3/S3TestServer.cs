using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenSma.ControlPlane;
using OpenSma.ControlPlane.S3;

using OpenSma.Storage.Objects;
using OpenSma.Testing;

namespace OpenSma.ControlPlane.Tests.S3;

internal sealed record ProcessResult(int Exit, string Stdout, string Stderr);

/// <summary>OpenSMA's S3 endpoint on a real Kestrel (127.0.0.1, OS-chosen port) over a folder store
/// in a temporary data directory, with strict SigV4 and one key pair.</summary>
internal sealed class S3TestServer : IAsyncDisposable
{
    public const string AccessKeyId = "AKIDOPENSMATEST00001";
    public const string Secret = "opensma-test-secret-key-0000000000000000";

    private readonly WebApplication _app;

    private S3TestServer(WebApplication app, string dataDirectory, string url)
    {
        _app = app;
        DataDirectory = dataDirectory;
        Url = url;
    }

    public string DataDirectory { get; }

    public string Url { get; }

    public RoutedObjectStore Store => _app.Services.GetRequiredService<RoutedObjectStore>();

    public static async Task<S3TestServer> StartAsync(string? storageJson = null, SigV4Mode mode = SigV4Mode.Strict)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "opensma-s3-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        IConfiguration? storage = null;
        if (storageJson is not null)
        {
            var file = Path.Combine(dataDirectory, "storage.json");
            await File.WriteAllTextAsync(file, storageJson);
            storage = new ConfigurationBuilder().AddJsonFile(file).Build().GetSection("Storage");
        }

        builder.Services.AddOpenSmaStorage(storage, dataDirectory);
        builder.Services.AddOpenSmaS3(new S3ApiOptions
        {
            SigV4 = new SigV4Options { Mode = mode, Credentials = new Dictionary<string, string> { [AccessKeyId] = Secret } },
        });
        var app = builder.Build();
        app.UseOpenSmaS3();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new S3TestServer(app, dataDirectory, address);
    }

    /// <summary>The AWS CLI against this endpoint, signed with the server's key pair.</summary>
    public Task<ProcessResult> AwsAsync(params string[] args) => AwsWithSecretAsync(Secret, args);

    public Task<ProcessResult> AwsWithSecretAsync(string secret, params string[] args) =>
        RunAsync("aws", [.. args, "--endpoint-url", Url], Environment(secret));

    /// <summary>Runs a Python script with boto3 configured for this endpoint (ENDPOINT in the environment).</summary>
    public Task<ProcessResult> PythonAsync(string script) =>
        RunAsync("python3", ["-c", script], new Dictionary<string, string>(Environment(Secret)) { ["ENDPOINT"] = Url });

    /// <summary>Runs a client to its end (OpenSma.Testing's <see cref="ExternalProcess"/>) without the machine's AWS session, profile or endpoint; killed with its children when it overruns the generous limit.</summary>
    private static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var (exit, stdout, stderr) = await ExternalProcess.RunAsync(
            file, args, TimeSpan.FromMinutes(2), environment, unset: ["AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"]);
        return new ProcessResult(exit, stdout, stderr);
    }

    private static Dictionary<string, string> Environment(string secret) => new()
    {
        ["AWS_ACCESS_KEY_ID"] = AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = secret,
        ["AWS_DEFAULT_REGION"] = "us-east-1",
        ["AWS_EC2_METADATA_DISABLED"] = "true",
        ["AWS_MAX_ATTEMPTS"] = "1",
        ["AWS_CONFIG_FILE"] = "/dev/null",
        ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null",
        ["AWS_PAGER"] = "",
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
