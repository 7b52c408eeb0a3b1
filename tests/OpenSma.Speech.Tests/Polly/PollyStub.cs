using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using OpenSma.Testing;

namespace OpenSma.Speech.Tests.Polly;

/// <summary>
/// A local stand-in for the Polly endpoint: checks each request's SigV4 signature from what
/// arrived on the wire (its own canonicalization, written from the AWS documentation, not the
/// product's), then answers with the configured status and body.
/// </summary>
internal sealed class PollyStub : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _secret;
    private readonly Task _loop;

    public PollyStub(string secret)
    {
        _secret = secret;
        Port = FreePorts.Tcp();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public Uri Endpoint => new($"http://127.0.0.1:{Port}");

    public List<Received> Requests { get; } = [];

    /// <summary>Status, headers and body of the answer to a request whose signature checked out.</summary>
    public Func<Received, (int Status, Dictionary<string, string> Headers, byte[] Body)> Answer { get; set; } =
        _ => (200, new() { ["Content-Type"] = "audio/pcm" }, new byte[1600]);

    public sealed record Received(string Method, string Path, Dictionary<string, string> Headers, byte[] Body, bool SignatureValid, string? SignatureProblem);

    public async ValueTask DisposeAsync()
    {
        try
        {
            _listener.Stop();
            _listener.Close();
        }
        catch (HttpListenerException)
        {
            // On Linux, closing can fail with "Address already in use" when another process took
            // the port meanwhile; the listener is unusable either way, and this is cleanup only.
        }

        try
        {
            // On Linux a GetContextAsync pending when the listener closes does not always complete:
            // waiting for the loop without a bound could hang the test run.
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (HttpListenerException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (TimeoutException)
        {
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var headers = context.Request.Headers.AllKeys.ToDictionary(k => k!.ToLowerInvariant(), k => context.Request.Headers[k]!, StringComparer.Ordinal);
            var problem = Verify(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, headers, body.ToArray());
            var received = new Received(context.Request.HttpMethod, context.Request.Url.AbsolutePath, headers, body.ToArray(), problem is null, problem);
            lock (Requests)
            {
                Requests.Add(received);
            }

            var (status, answerHeaders, answer) = problem is null
                ? Answer(received)
                : (403, new Dictionary<string, string> { ["x-amzn-ErrorType"] = "InvalidSignatureException" }, Encoding.UTF8.GetBytes("{\"message\":\"" + problem + "\"}"));
            context.Response.StatusCode = status;
            foreach (var (name, value) in answerHeaders)
            {
                context.Response.Headers[name] = value;
            }

            await context.Response.OutputStream.WriteAsync(answer);
            context.Response.Close();
        }
    }

    private string? Verify(string method, string path, Dictionary<string, string> headers, byte[] body)
    {
        if (!headers.TryGetValue("authorization", out var authorization) || !authorization.StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal))
        {
            return "missing SigV4 authorization";
        }

        var fields = authorization["AWS4-HMAC-SHA256 ".Length..].Split(", ")
            .Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f[1], StringComparer.Ordinal);
        var scope = fields["Credential"].Split('/', 2)[1];
        var parts = scope.Split('/');
        var signed = fields["SignedHeaders"].Split(';');
        if (!signed.Contains("host") || !signed.Contains("x-amz-date"))
        {
            return "host and x-amz-date must be signed";
        }

        var canonical = new StringBuilder($"{method}\n{path}\n\n");
        foreach (var name in signed)
        {
            if (!headers.TryGetValue(name, out var value))
            {
                return $"signed header {name} was not sent";
            }

            canonical.Append(name).Append(':').Append(value.Trim()).Append('\n');
        }

        canonical.Append('\n').Append(fields["SignedHeaders"]).Append('\n').Append(Convert.ToHexStringLower(SHA256.HashData(body)));
        var amzDate = headers["x-amz-date"];
        if (!amzDate.StartsWith(parts[0], StringComparison.Ordinal))
        {
            return "x-amz-date and credential scope disagree";
        }

        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + _secret);
        foreach (var step in new[] { parts[0], parts[1], parts[2], "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(step));
        }

        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)));
        return expected == fields["Signature"] ? null : "signature does not match";
    }
}
