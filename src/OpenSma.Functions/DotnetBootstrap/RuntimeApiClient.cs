using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OpenSma.Functions.DotnetBootstrap;

/// <summary>The Lambda Runtime API as a runtime sees it: next event, response, error, init error.</summary>
internal sealed class RuntimeApiClient : IDisposable
{
    private readonly HttpClient _http;

    public RuntimeApiClient(string address)
    {
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false })
        {
            BaseAddress = new Uri($"http://{address}/2018-06-01/runtime/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public async Task<(HttpResponseHeaders Headers, byte[] Body)?> NextAsync()
    {
        using var response = await _http.GetAsync("invocation/next").ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            return null;
        return (response.Headers, await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false));
    }

    public Task RespondAsync(string requestId, byte[] body) =>
        PostAsync($"invocation/{requestId}/response", body, null);

    public Task ErrorAsync(string requestId, Exception error) =>
        PostAsync($"invocation/{requestId}/error", ErrorDocument(error.GetType().Name, error.Message, error), "Unhandled");

    public Task InitErrorAsync(string errorType, string message, Exception? error) =>
        PostAsync("init/error", ErrorDocument(errorType, message, error), errorType);

    public static byte[] ErrorDocument(string errorType, string message, Exception? error)
    {
        var stack = error?.ToString().Split('\n').Select(l => l.TrimEnd()).ToArray() ?? [];
        var doc = new Dictionary<string, object> { ["errorType"] = errorType, ["errorMessage"] = message, ["stackTrace"] = stack };
        return JsonSerializer.SerializeToUtf8Bytes(doc);
    }

    private async Task PostAsync(string path, byte[] body, string? errorType)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (errorType is not null)
            request.Headers.TryAddWithoutValidation("Lambda-Runtime-Function-Error-Type", errorType);
        using var response = await _http.SendAsync(request).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            await Console.Error.WriteLineAsync(Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false))).ConfigureAwait(false);
    }

    public void Dispose() => _http.Dispose();
}
