using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenSma.ControlPlane;
using OpenSma.ControlPlane.Benchmarks;
using OpenSma.Engine.Control;
using OpenSma.Storage.Resources;

// The control plane as `opensma serve` hosts it (SQLite store, strict SigV4), seeded with one SMA
// and 25 SIP rules, plus /ceiling: the same Kestrel answering a constant JSON body with no
// SigV4 and no store, the reference ceiling for the figures. run-wrk.sh drives it with wrk.
var dataDirectory = Path.Combine(Path.GetTempPath(), "opensma-bench-" + Guid.NewGuid().ToString("N"));
var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Logging.ClearProviders();
builder.Services.AddSingleton<ICallControl>(new RefusingCallControl());
builder.Services.AddOpenSmaControlPlane(new ControlPlaneOptions
{
    Store = ResourceStoreOptions.ForSqlite(dataDirectory),
    // OPENSMA_BENCH_CACHE_READS=false measures the SQLite read path without the read cache.
    CacheReads = Environment.GetEnvironmentVariable("OPENSMA_BENCH_CACHE_READS") is { } cache ? bool.Parse(cache) : null,
    SigV4 = new SigV4Options
    {
        Mode = SigV4Mode.Strict,
        Credentials = new Dictionary<string, string> { ["AKIDBENCH"] = "bench-secret" },
    },
});
var app = builder.Build();
app.MapChimeSdkVoiceApi();
app.MapGet("/ceiling", () => Results.Text("""{"SipMediaApplication":{"SipMediaApplicationId":"x"}}""", "application/json"));
await app.StartAsync();

var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
var smaId = await Seed.RunAsync(app.Services.GetRequiredService<IResourceStore>(), TimeProvider.System);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"READY {address} {smaId}"));

// Runs until stdin closes (the driving script holds it open) or the process is stopped.
await Console.In.ReadToEndAsync();
await app.StopAsync();
Directory.Delete(dataDirectory, recursive: true);
