using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OpenSma.Functions.Tests.TestSupport;

/// <summary>
/// A Lambda-compatible Invoke endpoint for tests. It checks every request's SigV4 signature
/// against its secret (written here from the AWS General Reference, independent of the product
/// signer) and answers by function name: echo, broken, slowpoke (timed out), busy (429), hang.
/// </summary>
internal sealed class LambdaStubServer : IAsyncDisposable
{
    public const string AccessKeyId = "AKIDSTUBEXAMPLE";
    public const string SecretAccessKey = "stub/secret/EXAMPLEKEY";

    private readonly WebApplication _app;

    private LambdaStubServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>Function references received with a valid signature, as the path carried them.</summary>
    public ConcurrentQueue<string> Verified { get; } = new();

    public ConcurrentQueue<string> Rejections { get; } = new();

    public static async Task<LambdaStubServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        LambdaStubServer? self = null;
        app.MapPost("/2015-03-31/functions/{functionName}/invocations", async (HttpContext http, string functionName) =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            var body = buffer.ToArray();
            if (Verify(http, body) is { } problem)
            {
                self!.Rejections.Enqueue(problem);
                http.Response.StatusCode = 403;
                http.Response.Headers["X-Amzn-ErrorType"] = "InvalidSignatureException";
                await http.Response.WriteAsync("{\"message\":\"" + problem + "\"}");
                return;
            }
            self!.Verified.Enqueue(functionName);
            var name = functionName.Split(':') is { Length: >= 7 } parts ? parts[6] : functionName;
            http.Response.Headers["x-amzn-RequestId"] = "stub-request-1";
            http.Response.Headers["X-Amz-Executed-Version"] = "$LATEST";
            switch (name)
            {
                case "echo":
                    http.Response.Headers["X-Amz-Log-Result"] = Convert.ToBase64String("START RequestId: stub-request-1\nhello from remote\n"u8.ToArray());
                    await http.Response.WriteAsync("{\"SchemaVersion\":\"1.0\",\"Actions\":[],\"echo\":" + Encoding.UTF8.GetString(body) + "}");
                    break;
                case "broken":
                    http.Response.Headers["X-Amz-Function-Error"] = "Unhandled";
                    await http.Response.WriteAsync("{\"errorType\":\"Error\",\"errorMessage\":\"boom\"}");
                    break;
                case "slowpoke":
                    http.Response.Headers["X-Amz-Function-Error"] = "Unhandled";
                    await http.Response.WriteAsync("{\"errorMessage\":\"2026-11-24T03:00:00.000Z stub-request-1 Task timed out after 3.00 seconds\"}");
                    break;
                case "busy":
                    http.Response.StatusCode = 429;
                    http.Response.Headers["X-Amzn-ErrorType"] = "TooManyRequestsException";
                    await http.Response.WriteAsync("{\"Reason\":\"ReservedFunctionConcurrentInvocationLimitExceeded\",\"message\":\"Rate Exceeded.\"}");
                    break;
                case "hang":
                    await Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                    break;
                default:
                    http.Response.StatusCode = 404;
                    http.Response.Headers["X-Amzn-ErrorType"] = "ResourceNotFoundException";
                    await http.Response.WriteAsync("{\"Type\":\"User\",\"message\":\"Function not found\"}");
                    break;
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        self = new LambdaStubServer(app, new Uri(address));
        return self;
    }

    /// <returns>Null when the signature is valid, else what is wrong.</returns>
    private static string? Verify(HttpContext http, byte[] body)
    {
        var authorization = http.Request.Headers.Authorization.ToString();
        const string prefix = "AWS4-HMAC-SHA256 ";
        if (!authorization.StartsWith(prefix, StringComparison.Ordinal))
            return "missing SigV4 authorization";
        var fields = authorization[prefix.Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f[1], StringComparer.Ordinal);
        var credential = fields["Credential"].Split('/');
        if (credential[0] != AccessKeyId || credential[3] != "lambda" || credential[4] != "aws4_request")
            return "wrong credential scope " + fields["Credential"];
        var signedHeaders = fields["SignedHeaders"].Split(';');
        if (!signedHeaders.Contains("host") || !signedHeaders.Contains("x-amz-date"))
            return "host and x-amz-date must be signed";

        var rawTarget = http.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var path = queryStart < 0 ? rawTarget : rawTarget[..queryStart];
        var canonicalUri = string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
        var canonicalQuery = queryStart < 0 ? "" : string.Join('&', rawTarget[(queryStart + 1)..].Split('&')
            .Select(p => p.Split('=', 2)).Select(p => Uri.EscapeDataString(Uri.UnescapeDataString(p[0])) + "=" + Uri.EscapeDataString(Uri.UnescapeDataString(p.Length > 1 ? p[1] : "")))
            .Order(StringComparer.Ordinal));
        var canonicalHeaders = string.Concat(signedHeaders.Select(h =>
            h + ":" + string.Join(',', http.Request.Headers[h].Select(v => v!.Trim())) + "\n"));
        var payloadHash = Convert.ToHexStringLower(SHA256.HashData(body));
        var canonical = $"{http.Request.Method}\n{canonicalUri}\n{canonicalQuery}\n{canonicalHeaders}\n{fields["SignedHeaders"]}\n{payloadHash}";
        var amzDate = http.Request.Headers["x-amz-date"].ToString();
        var scope = string.Join('/', credential[1..]);
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
        var signingKey = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + SecretAccessKey), credential[1]), credential[2]), credential[3]), "aws4_request");
        var expected = Convert.ToHexStringLower(Hmac(signingKey, stringToSign));
        return expected == fields["Signature"] ? null : string.Create(CultureInfo.InvariantCulture, $"signature mismatch for {canonicalUri}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
