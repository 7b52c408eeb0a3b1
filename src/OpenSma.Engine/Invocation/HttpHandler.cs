using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Http.Headers;

namespace OpenSma.Engine.Invocation;

/// <summary>
/// Webhook handlers: an SMA endpoint that is an http(s) URL receives each event as a JSON POST and
/// answers with the action JSON. Connections are pooled and kept alive. 5xx is a function error,
/// 429 throttling, other 4xx a refused invocation (all retried once by the engine, spec §9.1).
/// </summary>
public sealed class HttpHandlerResolver : IHandlerEndpointResolver, IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>More distinct endpoints than this and the parsed-URI cache starts over.</summary>
    private const int MaxCachedEndpoints = 1024;
    private readonly HttpClient _client;
    private readonly HttpHandlerInvoker _invoker;

    // Every event of every call is a POST to its SMA's endpoint: parse each endpoint's URI once.
    private readonly ConcurrentDictionary<string, Uri> _uris = new(StringComparer.Ordinal);

    /// <param name="attemptTimeout">
    /// A real-time cap per request, for virtual-time runs (<see cref="EngineOptions.ClockWaitsForHandlers"/>)
    /// where the engine's own timeout cannot fire while a request is out.
    /// </param>
    public HttpHandlerResolver(TimeSpan? attemptTimeout = null)
    {
        _client = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            AutomaticDecompression = DecompressionMethods.All,
        })
        {
            Timeout = attemptTimeout ?? TimeSpan.FromSeconds(30),
        };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("OpenSMA/1.0");
        _invoker = new HttpHandlerInvoker(this);
    }

    public bool TryResolve(string endpoint, [NotNullWhen(true)] out IHandlerInvoker? invoker)
    {
        if (_uris.ContainsKey(endpoint)
            || (Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && Remember(endpoint, uri)))
        {
            invoker = _invoker;
            return true;
        }

        invoker = null;
        return false;
    }

    public void Dispose() => _client.Dispose();

    private bool Remember(string endpoint, Uri uri)
    {
        if (_uris.Count >= MaxCachedEndpoints)
        {
            _uris.Clear();
        }

        _uris.TryAdd(endpoint, uri);
        return true;
    }

    /// <summary>The parsed endpoint; an endpoint never resolved here (or dropped from the cache) is parsed as before.</summary>
    private Uri UriOf(string endpoint) => _uris.TryGetValue(endpoint, out var uri) ? uri : new Uri(endpoint, UriKind.RelativeOrAbsolute);

    private sealed class HttpHandlerInvoker(HttpHandlerResolver owner) : IHandlerInvoker
    {
        public async ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, owner.UriOf(request.Endpoint))
            {
                Content = new ReadOnlyMemoryContent(request.EventJson) { Headers = { ContentType = Json } },
            };
            message.Headers.Add("X-OpenSMA-Transaction-Id", request.TransactionId);
            try
            {
                using var response = await owner._client.SendAsync(message, cancellationToken).ConfigureAwait(false);
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    return InvocationResult.Ok(body);
                }

                var outcome = status switch
                {
                    429 => InvocationOutcome.Throttled,
                    >= 500 => InvocationOutcome.FunctionError,
                    _ => InvocationOutcome.Rejected,
                };
                return InvocationResult.Failed(outcome, $"HTTP {status} {response.ReasonPhrase}");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return InvocationResult.Failed(InvocationOutcome.Timeout, "the HTTP handler did not reply in time");
            }
            catch (HttpRequestException ex)
            {
                return InvocationResult.Failed(InvocationOutcome.Unreachable, ex.Message);
            }
        }
    }
}
