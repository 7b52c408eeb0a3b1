using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OpenSma.Functions.Hosting;
using OpenSma.Functions.Invocation;

namespace OpenSma.Functions.LambdaApi;

/// <summary>Invoke (POST /2015-03-31/functions/{name}/invocations) with Lambda's headers and status codes.</summary>
internal static class LambdaInvokeEndpoint
{
    /// <summary>Lambda returns at most the last 4 KB of the log in X-Amz-Log-Result.</summary>
    private const int LogTailBytes = 4096;

    public static async Task<IResult> InvokeAsync(HttpContext http, FunctionHost host, string functionName)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted).ConfigureAwait(false);
        var payload = buffer.Length == 0 ? "{}"u8.ToArray() : buffer.ToArray();
        string? transactionId;
        try
        {
            using var document = JsonDocument.Parse(payload);
            transactionId = SmaTransactionId(document.RootElement);
        }
        catch (JsonException)
        {
            return LambdaApiResults.Error(StatusCodes.Status400BadRequest, "InvalidRequestContentException", "Could not parse request body into json");
        }
        var qualifier = http.Request.Query.TryGetValue("Qualifier", out var q) && q.Count > 0 ? q.ToString() : null;
        if (!host.Registry.TryGet(functionName, qualifier, out _))
            return LambdaApiResults.NotFound(functionName, host.Options.AccountId, host.Options.Region);

        var invocationType = http.Request.Headers["X-Amz-Invocation-Type"].ToString();
        switch (invocationType)
        {
            case "DryRun":
                return Results.StatusCode(StatusCodes.Status204NoContent);
            case "Event":
                // Asynchronous invocation: accepted now, run in the background, result kept only in the logs.
                _ = host.InvokeAsync(functionName, qualifier, payload, transactionId, CancellationToken.None);
                return Results.StatusCode(StatusCodes.Status202Accepted);
            case "" or "RequestResponse":
                break;
            default:
                return LambdaApiResults.InvalidParameter($"Invalid InvocationType: {invocationType}");
        }

        var result = await host.InvokeAsync(functionName, qualifier, payload, transactionId, http.RequestAborted).ConfigureAwait(false);
        switch (result.Status)
        {
            case FunctionInvocationStatus.Throttled:
                return LambdaApiResults.Error(StatusCodes.Status429TooManyRequests, "TooManyRequestsException", "Rate Exceeded.",
                    "ReservedFunctionConcurrentInvocationLimitExceeded");
            case FunctionInvocationStatus.NotFound:
                return LambdaApiResults.NotFound(functionName, host.Options.AccountId, host.Options.Region);
        }
        var headers = http.Response.Headers;
        headers["X-Amz-Executed-Version"] = result.Version;
        headers["x-amzn-RequestId"] = result.RequestId;
        if (result.Status != FunctionInvocationStatus.Succeeded)
            headers["X-Amz-Function-Error"] = "Unhandled";
        if (http.Request.Headers["X-Amz-Log-Type"] == "Tail")
            headers["X-Amz-Log-Result"] = LogTail(result);
        return Results.Bytes(result.Payload.ToArray(), "application/json");
    }

    /// <summary>An SMA event invoked by hand (aws lambda invoke) is logged under its own TransactionId, as the engine's are.</summary>
    private static string? SmaTransactionId(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("CallDetails", out var details) && details.ValueKind == JsonValueKind.Object
        && details.TryGetProperty("TransactionId", out var id) && id.ValueKind == JsonValueKind.String
            ? id.GetString()
            : null;

    private static string LogTail(FunctionInvocationResult result)
    {
        var text = new StringBuilder();
        foreach (var line in result.Logs)
            text.Append(line.Text).Append('\n');
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        return Convert.ToBase64String(bytes.Length <= LogTailBytes ? bytes : bytes[^LogTailBytes..]);
    }
}
