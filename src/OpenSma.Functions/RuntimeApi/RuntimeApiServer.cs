using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OpenSma.Functions.RuntimeApi;

/// <summary>
/// The Lambda Runtime API (version 2018-06-01) for one sandbox, on a loopback port of its own:
/// a runtime process finds it through <c>AWS_LAMBDA_RUNTIME_API=host:port</c>, exactly as in Lambda,
/// so one port per sandbox is what tells sandboxes apart.
/// </summary>
internal sealed class RuntimeApiServer : IAsyncDisposable
{
    private const string Prefix = "/2018-06-01/runtime";
    private readonly WebApplication _app;

    private RuntimeApiServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The value of <c>AWS_LAMBDA_RUNTIME_API</c>.</summary>
    public string Address => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public static async Task<RuntimeApiServer> StartAsync(IRuntimeApiHandler handler, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 6 * 1024 * 1024 + 1024;
        });
        var app = builder.Build();
        Map(app, handler);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new RuntimeApiServer(app, new Uri(address).Port);
    }

    private static void Map(WebApplication app, IRuntimeApiHandler handler)
    {
        app.MapGet(Prefix + "/invocation/next", async (HttpContext http) =>
        {
            RuntimeInvocation? next;
            try
            {
                next = await handler.NextAsync(http.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (next is null)
            {
                http.Response.StatusCode = StatusCodes.Status410Gone;
                return;
            }
            var headers = http.Response.Headers;
            headers["Lambda-Runtime-Aws-Request-Id"] = next.RequestId;
            headers["Lambda-Runtime-Deadline-Ms"] = next.DeadlineUnixMilliseconds.ToString(CultureInfo.InvariantCulture);
            headers["Lambda-Runtime-Invoked-Function-Arn"] = next.InvokedFunctionArn;
            headers["Lambda-Runtime-Trace-Id"] = next.TraceId;
            if (next.ClientContext is not null)
                headers["Lambda-Runtime-Client-Context"] = next.ClientContext;
            http.Response.ContentType = "application/json";
            http.Response.ContentLength = next.Payload.Length;
            await http.Response.Body.WriteAsync(next.Payload, http.RequestAborted).ConfigureAwait(false);
        });
        app.MapPost(Prefix + "/invocation/{requestId}/response", async (HttpContext http, string requestId) =>
            await AnswerAsync(http, handler.Respond(requestId, await ReadBodyAsync(http).ConfigureAwait(false))).ConfigureAwait(false));
        app.MapPost(Prefix + "/invocation/{requestId}/error", async (HttpContext http, string requestId) =>
            await AnswerAsync(http, handler.ReportError(requestId, await ReadBodyAsync(http).ConfigureAwait(false), ErrorTypeHeader(http))).ConfigureAwait(false));
        app.MapPost(Prefix + "/init/error", async (HttpContext http) =>
            await AnswerAsync(http, handler.ReportInitError(await ReadBodyAsync(http).ConfigureAwait(false), ErrorTypeHeader(http))).ConfigureAwait(false));
    }

    private static string? ErrorTypeHeader(HttpContext http) =>
        http.Request.Headers.TryGetValue("Lambda-Runtime-Function-Error-Type", out var v) ? v.ToString() : null;

    private static async Task<byte[]> ReadBodyAsync(HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private static Task AnswerAsync(HttpContext http, RuntimeApiAnswer answer)
    {
        http.Response.StatusCode = answer.StatusCode;
        http.Response.ContentType = "application/json";
        return answer.ErrorType is null
            ? http.Response.WriteAsync("{\"status\":\"OK\"}", http.RequestAborted)
            : http.Response.WriteAsJsonAsync(
                new RuntimeApiError(answer.ErrorMessage ?? "", answer.ErrorType),
                RuntimeApiJsonContext.Default.RuntimeApiError,
                cancellationToken: http.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await _app.StopAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Kestrel aborts what is still open; nothing is owed to a runtime we are closing.
        }
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
