using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Engine.Control;
using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Tests.Infrastructure;

/// <summary>A real Kestrel on 127.0.0.1 with an OS-chosen port, a SQLite store in a temp
/// directory, a fake clock and a recording engine.</summary>
public sealed class ControlPlaneServer : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 24, 3, 0, 0, TimeSpan.Zero);

    private readonly WebApplication _app;

    private ControlPlaneServer(WebApplication app, string directory, FakeTimeProvider time, RecordingCallControl calls, Uri baseAddress)
    {
        _app = app;
        DataDirectory = directory;
        Time = time;
        Calls = calls;
        BaseAddress = baseAddress;
        Client = new HttpClient(new DevSignatureHandler { InnerHandler = new HttpClientHandler() }) { BaseAddress = baseAddress };
    }

    public string DataDirectory { get; }

    public FakeTimeProvider Time { get; }

    public RecordingCallControl Calls { get; }

    public Uri BaseAddress { get; }

    /// <summary>Sends a well-formed (dev-mode) Authorization header on every request.</summary>
    public HttpClient Client { get; }

    public IResourceStore Store => _app.Services.GetRequiredService<IResourceStore>();

    public static async Task<ControlPlaneServer> StartAsync(
        Func<ControlPlaneOptions, ControlPlaneOptions>? configure = null,
        string? dataDirectory = null,
        FakeTimeProvider? time = null)
    {
        var directory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "opensma-cp-" + Guid.NewGuid().ToString("N"));
        time ??= new FakeTimeProvider(Start);
        var calls = new RecordingCallControl();
        var options = new ControlPlaneOptions { Store = ResourceStoreOptions.ForSqlite(directory) };
        options = configure?.Invoke(options) ?? options;

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<ICallControl>(calls);
        builder.Services.AddOpenSmaControlPlane(options);
        var app = builder.Build();
        app.MapChimeSdkVoiceApi();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ControlPlaneServer(app, directory, time, calls, new Uri(address + "/"));
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public async Task<(HttpResponseMessage Response, JsonElement Body)> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = Json(json);
        }

        var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (response, body);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class DevSignatureHandler : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.TryAddWithoutValidation("x-amz-date", "20261124T030000Z");
            request.Headers.Authorization ??= new AuthenticationHeaderValue(
                "AWS4-HMAC-SHA256",
                "Credential=AKIDEXAMPLE/20261124/us-east-1/chime/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + new string('0', 64));
            return base.SendAsync(request, cancellationToken);
        }
    }
}
