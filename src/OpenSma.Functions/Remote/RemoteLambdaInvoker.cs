using System.Net;
using System.Net.Http.Headers;
using System.Text;
using OpenSma.Aws;
using OpenSma.Aws.Signing;
using OpenSma.Engine.Invocation;
using OpenSma.Functions.Registry;

namespace OpenSma.Functions.Remote;

/// <summary>
/// Invokes a function in AWS Lambda (or a Lambda-compatible endpoint) through the Invoke API,
/// signed with SigV4, and maps Lambda's answers onto the engine's outcomes: FunctionError to
/// FunctionError, 429 to Throttled, "Task timed out" and no answer to Timeout, 4xx to Rejected.
/// </summary>
public sealed class RemoteLambdaInvoker : IHandlerInvoker
{
    private readonly HttpClient _http;
    private readonly RemoteLambdaOptions _options;
    private readonly TimeProvider _timeProvider;

    public RemoteLambdaInvoker(HttpClient http, RemoteLambdaOptions options, TimeProvider timeProvider)
    {
        _http = http;
        _options = options;
        _timeProvider = timeProvider;
    }

    public async ValueTask<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!LambdaArn.TryParse(request.Endpoint, out var arn))
            return InvocationResult.Failed(InvocationOutcome.Rejected, $"Not a Lambda function ARN: {request.Endpoint}");
        var region = arn.Region ?? _options.Region;
        var endpoint = _options.Endpoint ?? new Uri($"https://lambda.{region}.amazonaws.com");
        var uri = new Uri(endpoint, $"/2015-03-31/functions/{Uri.EscapeDataString(request.Endpoint)}/invocations");
        var body = request.EventJson.ToArray();

        using var message = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        message.Headers.TryAddWithoutValidation("X-Amz-Invocation-Type", "RequestResponse");
        message.Headers.TryAddWithoutValidation("X-Amz-Log-Type", "Tail");
        SigV4RequestSigner.Sign(
            message, body, new AwsCredentials(_options.AccessKeyId, _options.SecretAccessKey, _options.SessionToken), region, "lambda", _timeProvider.GetUtcNow());

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The engine's attempt timeout, or the client's own timeout.
            return InvocationResult.Failed(InvocationOutcome.Timeout, "AWS Lambda client operation timed out.");
        }
        catch (HttpRequestException e)
        {
            return InvocationResult.Failed(InvocationOutcome.Unreachable, $"Lambda endpoint unreachable: {e.Message}");
        }
        using (response)
        {
            byte[] payload;
            try
            {
                payload = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return InvocationResult.Failed(InvocationOutcome.Timeout, "AWS Lambda client operation timed out.");
            }
            var logs = Logs(response, request);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                if (!response.Headers.TryGetValues("X-Amz-Function-Error", out var kind))
                    return InvocationResult.Ok(payload, logs);
                var text = Encoding.UTF8.GetString(payload);
                var outcome = text.Contains("Task timed out after", StringComparison.Ordinal) ? InvocationOutcome.Timeout : InvocationOutcome.FunctionError;
                return InvocationResult.Failed(outcome, $"{string.Join(',', kind)}: {text}", logs);
            }
            var errorType = response.Headers.TryGetValues("X-Amzn-ErrorType", out var types) ? types.First().Split(':')[0] : null;
            var error = $"{(int)response.StatusCode} {errorType ?? response.ReasonPhrase}: {Encoding.UTF8.GetString(payload)}";
            return (int)response.StatusCode switch
            {
                429 => InvocationResult.Failed(InvocationOutcome.Throttled, error, logs),
                >= 400 and < 500 => InvocationResult.Failed(InvocationOutcome.Rejected, error, logs),
                _ => InvocationResult.Failed(InvocationOutcome.FunctionError, error, logs),
            };
        }
    }

    /// <summary>The base64 log tail Lambda returns for X-Amz-Log-Type: Tail, one tagged line per log line.</summary>
    private static string[]? Logs(HttpResponseMessage response, InvocationRequest request)
    {
        if (!response.Headers.TryGetValues("X-Amz-Log-Result", out var values))
            return null;
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Convert.FromBase64String(values.First()));
        }
        catch (FormatException)
        {
            return null;
        }
        var requestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.First() : "-";
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => $"RequestId={requestId} TransactionId={request.TransactionId} remote: {line}")];
    }
}
