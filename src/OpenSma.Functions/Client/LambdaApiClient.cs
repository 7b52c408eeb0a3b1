using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenSma.Functions.LambdaApi;
using OpenSma.Functions.Logs;
using OpenSma.Functions.Registry;

namespace OpenSma.Functions.Client;

/// <summary>
/// The <c>opensma functions</c> verbs against a running <c>opensma serve</c>: the same Lambda API
/// requests <c>aws lambda</c> makes, plus OpenSMA's log route. A code folder is passed by path
/// (the <c>hot-reload</c> bucket convention), so the server must run on this machine to use it.
/// </summary>
public sealed class LambdaApiClient
{
    private const string Functions = "/2015-03-31/functions";
    private readonly HttpClient _http;

    /// <param name="http">Its BaseAddress is the server's API address; its timeout should allow <c>--follow</c>.</param>
    public LambdaApiClient(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        _http = http;
    }

    /// <summary>Adds the function, or replaces the configuration and code of the one with its name.</summary>
    /// <exception cref="LambdaApiException">The server refused it (the message says why).</exception>
    /// <exception cref="HttpRequestException">No server answered.</exception>
    public async Task PutAsync(FunctionDefinition definition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var code = await CodeAsync(definition, cancellationToken).ConfigureAwait(false);
        var name = Uri.EscapeDataString(definition.Name);
        using (var existing = await _http.GetAsync($"{Functions}/{name}", cancellationToken).ConfigureAwait(false))
        {
            if (existing.StatusCode == HttpStatusCode.NotFound)
            {
                var create = new JsonObject
                {
                    ["FunctionName"] = definition.Name,
                    ["Runtime"] = definition.Runtime,
                    ["Handler"] = definition.Handler,
                    ["Role"] = definition.Role,
                    ["Description"] = definition.Description,
                    ["MemorySize"] = definition.MemorySize,
                    ["Timeout"] = definition.Timeout,
                    ["Environment"] = Environment(definition),
                    ["Code"] = code,
                };
                await SendAsync(HttpMethod.Post, Functions, create, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await EnsureSuccessAsync(existing, cancellationToken).ConfigureAwait(false);
                var configuration = new JsonObject
                {
                    ["Runtime"] = definition.Runtime,
                    ["Handler"] = definition.Handler,
                    ["Description"] = definition.Description,
                    ["MemorySize"] = definition.MemorySize,
                    ["Timeout"] = definition.Timeout,
                    ["Environment"] = Environment(definition),
                };
                await SendAsync(HttpMethod.Put, $"{Functions}/{name}/configuration", configuration, cancellationToken).ConfigureAwait(false);
                await SendAsync(HttpMethod.Put, $"{Functions}/{name}/code", code, cancellationToken).ConfigureAwait(false);
            }
        }
        if (definition.ReservedConcurrency is { } reserved)
        {
            await SendAsync(HttpMethod.Put, $"/2017-10-31/functions/{name}/concurrency",
                new JsonObject { ["ReservedConcurrentExecutions"] = reserved }, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await SendAsync(HttpMethod.Delete, $"/2017-10-31/functions/{name}/concurrency", null, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<FunctionSummary>> ListAsync(CancellationToken cancellationToken)
    {
        var list = await SendAsync(HttpMethod.Get, Functions + "/", null, cancellationToken).ConfigureAwait(false);
        var functions = list?["Functions"]?.AsArray() ?? [];
        var summaries = new List<FunctionSummary>();
        foreach (var f in functions)
        {
            if (f is null)
                continue;
            // GetFunction adds the code location and the reserved concurrency to what ListFunctions says.
            var detail = await SendAsync(HttpMethod.Get, $"{Functions}/{Uri.EscapeDataString(Text(f, "FunctionName"))}", null, cancellationToken)
                .ConfigureAwait(false);
            summaries.Add(Summary(f, detail));
        }
        return summaries;
    }

    /// <returns>False when there was no such function.</returns>
    public async Task<bool> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await _http.DeleteAsync($"{Functions}/{Uri.EscapeDataString(name)}", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return false;
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The function's recent log lines, then (with <paramref name="follow"/>) new ones until cancelled.</summary>
    public async IAsyncEnumerable<FunctionLogEntry> LogsAsync(
        string name, int limit, string? transactionId, bool follow, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = $"?limit={limit}" + (transactionId is null ? "" : "&transactionId=" + Uri.EscapeDataString(transactionId))
            + (follow ? "&follow=true" : "");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/opensma/functions/{Uri.EscapeDataString(name)}/logs{query}");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
            if (line is null)
                yield break;
            if (line.Length == 0)
                continue;
            var entry = JsonSerializer.Deserialize(line, LambdaJsonContext.Default.FunctionLogLine)
                ?? throw new LambdaApiException(200, "InvalidResponse", "A log line was empty.");
            yield return new FunctionLogEntry(entry.Timestamp, entry.FunctionName, entry.RequestId, entry.TransactionId,
                Enum.TryParse<FunctionLogStream>(entry.Stream, ignoreCase: true, out var stream) ? stream : FunctionLogStream.Platform,
                entry.Text);
        }
    }

    private static async Task<JsonObject> CodeAsync(FunctionDefinition definition, CancellationToken cancellationToken)
    {
        if (definition.ZipFile is { } zip)
        {
            var bytes = await File.ReadAllBytesAsync(zip, cancellationToken).ConfigureAwait(false);
            return new JsonObject { ["ZipFile"] = Convert.ToBase64String(bytes) };
        }
        return new JsonObject
        {
            ["S3Bucket"] = LambdaFunctionEndpoints.HotReloadBucket,
            ["S3Key"] = Path.GetFullPath(definition.CodeDirectory ?? throw new FunctionConfigurationException("No code given.")),
        };
    }

    private static JsonObject Environment(FunctionDefinition definition)
    {
        var variables = new JsonObject();
        foreach (var (key, value) in definition.Environment)
            variables[key] = value;
        return new JsonObject { ["Variables"] = variables };
    }

    private static FunctionSummary Summary(JsonNode configuration, JsonNode? detail)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (configuration["Environment"]?["Variables"] is JsonObject variables)
        {
            foreach (var (key, value) in variables)
                env[key] = value?.GetValue<string>() ?? "";
        }
        var location = detail?["Code"]?["Location"]?.GetValue<string>();
        var code = location is not null && Uri.TryCreate(location, UriKind.Absolute, out var uri) && uri.IsFile ? uri.LocalPath : location;
        return new FunctionSummary(
            Text(configuration, "FunctionName"),
            Text(configuration, "Runtime"),
            Text(configuration, "Handler"),
            configuration["MemorySize"]?.GetValue<int>() ?? 128,
            configuration["Timeout"]?.GetValue<int>() ?? 3,
            code,
            detail?["Concurrency"]?["ReservedConcurrentExecutions"]?.GetValue<int>(),
            env);
    }

    private static string Text(JsonNode node, string name) => node[name]?.GetValue<string>() ?? "";

    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = JsonContent.Create(body);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
            return;
        var type = response.Headers.TryGetValues("X-Amzn-ErrorType", out var values) ? values.First() : response.StatusCode.ToString();
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string message;
        try
        {
            message = JsonNode.Parse(text)?["message"]?.GetValue<string>() ?? text;
        }
        catch (JsonException)
        {
            message = text;
        }
        throw new LambdaApiException((int)response.StatusCode, type, message);
    }
}
