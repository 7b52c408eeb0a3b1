using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenSma.Functions.Hosting;
using OpenSma.Functions.Invocation;
using OpenSma.Functions.Registry;

// Warm invocation overhead: an SMA event out to a handler that returns at once, its actions back.
// Usage: dotnet run -c Release --project bench/OpenSma.Functions.Benchmarks -- [count]
var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
var work = Path.Combine(Path.GetTempPath(), "opensma-fn-bench-" + Guid.NewGuid().ToString("N"));
var code = Path.Combine(work, "code");
Directory.CreateDirectory(code);
File.WriteAllText(Path.Combine(code, "index.js"),
    "exports.handler = async (event) => ({ SchemaVersion: '1.0', Actions: [{ Type: 'Hangup', Parameters: { SipResponseCode: '0' } }] });");
File.WriteAllText(Path.Combine(code, "app.py"),
    "def handler(event, context):\n    return {'SchemaVersion': '1.0', 'Actions': [{'Type': 'Hangup', 'Parameters': {'SipResponseCode': '0'}}]}\n");
var smaEvent = """
    {"SchemaVersion":"1.0","Sequence":1,"InvocationEventType":"NEW_INBOUND_CALL","CallDetails":{"TransactionId":"9f1c2e4a-0000-4000-8000-000000000001","AwsAccountId":"111122223333","AwsRegion":"us-east-1","SipRuleId":"5d0a7c1e-0000-4000-8000-000000000002","SipMediaApplicationId":"2b6e9d3f-0000-4000-8000-000000000003","Participants":[{"CallId":"c0ffee00-0000-4000-8000-000000000004","ParticipantTag":"LEG-A","To":"+12025550100","From":"+13135550199","Direction":"Inbound","StartTimeInMilliseconds":"1700000000000"}]}}
    """u8.ToArray();

Console.WriteLine($"| case | median (ms) | p99 (ms) | invocations/s |");
Console.WriteLine($"|---|---:|---:|---:|");
try
{
    await MeasureReferenceAsync(count, smaEvent);
    foreach (var (name, runtime, handler, hotReload) in new[]
    {
        ("node", "nodejs20.x", "index.handler", true),
        ("node, hot reload off", "nodejs20.x", "index.handler", false),
        ("python", "python3.11", "app.handler", true),
    })
    {
        await using var host = new FunctionHost(new FunctionsOptions { WorkDirectory = Path.Combine(work, "host"), HotReload = hotReload }, TimeProvider.System);
        host.Add(new FunctionDefinition { Name = "bench", Runtime = runtime, Handler = handler, CodeDirectory = code });
        await MeasureAsync($"OpenSMA warm invoke, {name}", count, async () =>
        {
            var result = await host.InvokeAsync("bench", smaEvent, "tx", CancellationToken.None);
            if (result.Status != FunctionInvocationStatus.Succeeded)
                throw new InvalidOperationException($"{result.ErrorType}: {result.ErrorMessage}");
        });
    }
}
finally
{
    Directory.Delete(work, recursive: true);
}

// The ceiling: one HTTP request/response over loopback to a Kestrel endpoint that answers at once.
// A warm invocation needs two such exchanges (the runtime's /next completing, then its /response)
// plus the runtime's own work, so it cannot beat this.
static async Task MeasureReferenceAsync(int count, byte[] body)
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
    await using var app = builder.Build();
    app.MapPost("/echo", async (Microsoft.AspNetCore.Http.HttpContext http) =>
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer);
        await http.Response.Body.WriteAsync(buffer.ToArray());
    });
    await app.StartAsync();
    var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
    using var http = new HttpClient { BaseAddress = new Uri(address) };
    await MeasureAsync("reference: one loopback HTTP exchange (HttpClient to Kestrel)", count, async () =>
    {
        using var response = await http.PostAsync("/echo", new ByteArrayContent(body));
        await response.Content.ReadAsByteArrayAsync();
    });
    await app.StopAsync();
}

static async Task MeasureAsync(string name, int count, Func<Task> call)
{
    for (var i = 0; i < Math.Max(100, count / 10); i++)
        await call();
    var samples = new double[count];
    var total = Stopwatch.StartNew();
    for (var i = 0; i < count; i++)
    {
        var start = Stopwatch.GetTimestamp();
        await call();
        samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
    total.Stop();
    Array.Sort(samples);
    var median = samples[count / 2];
    var p99 = samples[Math.Min(count - 1, (int)Math.Ceiling(count * 0.99) - 1)];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {median:0.000} | {p99:0.000} | {count / total.Elapsed.TotalSeconds:0} |"));
}
