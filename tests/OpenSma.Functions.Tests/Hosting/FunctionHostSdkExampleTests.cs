using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenSma.Functions.Invocation;
using OpenSma.Functions.Tests.TestSupport;

namespace OpenSma.Functions.Tests.Hosting;

/// <summary>
/// The example that calls CreateSipMediaApplicationCall with @aws-sdk/client-chime-sdk-voice and no
/// configuration of its own: the injected environment must route the SDK call to OpenSMA. A
/// recording endpoint stands in for OpenSMA's Chime SDK Voice API (owned by the control plane).
/// </summary>
public sealed class FunctionHostSdkExampleTests
{
    [Fact]
    public async Task InvokeAsync_OutboundCallExample_SdkCallLandsOnOpenSmaEndpointFromEnvironment()
    {
        var example = TestPaths.Example("node-outbound-call");
        Assert.True(Directory.Exists(Path.Combine(example, "node_modules", "@aws-sdk", "client-chime-sdk-voice")),
            "run scripts/install-deps to install the example's npm packages");
        var received = new ConcurrentQueue<(string Path, string Authorization, JsonNode Body)>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.MapPost("/sip-media-applications/{id}/calls", async (HttpContext http) =>
        {
            var body = await JsonNode.ParseAsync(http.Request.Body);
            received.Enqueue((http.Request.Path, http.Request.Headers.Authorization.ToString(), body!));
            http.Response.StatusCode = 201;
            await http.Response.WriteAsync("{\"SipMediaApplicationCall\":{\"TransactionId\":\"7e57ca11-0000-4000-8000-00000000beef\"}}");
        });
        await app.StartAsync();
        var baseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

        await using var scope = new FunctionHostScope(o => o.ServiceBaseUrl = baseUrl);
        scope.Add("callback", "nodejs20.x", "index.handler", example, timeout: 30);
        var result = await scope.InvokeAsync("callback", SmaEvents.NewInboundCall());

        Assert.True(result.Status == FunctionInvocationStatus.Succeeded, $"{result.ErrorType}: {result.ErrorMessage}\n{string.Join('\n', result.Logs)}");
        var reply = JsonNode.Parse(result.Payload.Span)!;
        Assert.Equal(["Speak", "Hangup"], reply["Actions"]!.AsArray().Select(a => a!["Type"]!.GetValue<string>()));
        Assert.Equal("7e57ca11-0000-4000-8000-00000000beef", reply["TransactionAttributes"]!["callback"]!.GetValue<string>());

        var (path, authorization, body) = Assert.Single(received);
        Assert.Equal($"/sip-media-applications/{SmaEvents.SmaId}/calls", path);
        Assert.Equal("+12025550100", body["FromPhoneNumber"]!.GetValue<string>());
        Assert.Equal("+13135550199", body["ToPhoneNumber"]!.GetValue<string>());
        Assert.Equal(SmaEvents.TransactionId, body["ArgumentsMap"]!["original"]!.GetValue<string>());
        // Signed with the injected dev credentials for the injected region and the SDK's signing name.
        Assert.StartsWith($"AWS4-HMAC-SHA256 Credential={scope.Options.DevAccessKeyId}/", authorization, StringComparison.Ordinal);
        Assert.Contains("/us-east-1/chime/aws4_request", authorization, StringComparison.Ordinal);
        Assert.Contains(result.Logs, l => l.Text.Contains("placed callback 7e57ca11-0000-4000-8000-00000000beef", StringComparison.Ordinal));
    }
}
