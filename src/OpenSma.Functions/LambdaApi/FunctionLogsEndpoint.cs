using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OpenSma.Functions.Hosting;
using OpenSma.Functions.Logs;
using OpenSma.Functions.Registry;

namespace OpenSma.Functions.LambdaApi;

/// <summary>
/// <c>GET /opensma/functions/{name}/logs</c>: what a function printed, one JSON object per line
/// (<c>application/x-ndjson</c>), for <c>opensma functions logs NAME</c>. Lambda keeps logs in
/// CloudWatch Logs, which OpenSMA does not serve; this route is OpenSMA's own. Query:
/// <c>limit</c> (recent lines, default 200), <c>transactionId</c> (only that SMA transaction),
/// <c>follow=true</c> (keep the response open and stream new lines until the client leaves).
/// </summary>
internal static class FunctionLogsEndpoint
{
    public const string Route = "/opensma/functions/{functionName}/logs";

    private const int DefaultLimit = 200;

    public static async Task<IResult> GetAsync(HttpContext http, FunctionHost host, string functionName)
    {
        if (!LambdaArn.TryParse(functionName, out var arn))
            return LambdaApiResults.InvalidParameter($"'{functionName}' is not a function name or ARN.");
        var query = http.Request.Query;
        var limit = DefaultLimit;
        if (query.TryGetValue("limit", out var limitText)
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 0))
            return LambdaApiResults.InvalidParameter("limit must be a whole number of zero or more.");
        var transactionId = query.TryGetValue("transactionId", out var tx) && tx.Count > 0 ? tx.ToString() : null;
        var follow = query.TryGetValue("follow", out var followText) && string.Equals(followText, "true", StringComparison.OrdinalIgnoreCase);
        // A function that was removed (or not yet added) may still have, or later get, lines: no 404 here.
        http.Response.ContentType = "application/x-ndjson";
        if (!follow)
        {
            foreach (var entry in host.ReadLogs(arn.FunctionName, limit, transactionId))
                await WriteAsync(http, entry).ConfigureAwait(false);
            return Results.Empty;
        }
        await http.Response.StartAsync(http.RequestAborted).ConfigureAwait(false);
        try
        {
            await foreach (var entry in host.Logs.ReadAndFollowAsync(arn.FunctionName, limit, transactionId, http.RequestAborted).ConfigureAwait(false))
            {
                await WriteAsync(http, entry).ConfigureAwait(false);
                await http.Response.Body.FlushAsync(http.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The client stopped following.
        }
        return Results.Empty;
    }

    private static async Task WriteAsync(HttpContext http, FunctionLogEntry entry)
    {
        var line = new FunctionLogLine(entry.Timestamp, entry.FunctionName, entry.RequestId, entry.TransactionId,
            entry.Stream.ToString().ToLowerInvariant(), entry.Text);
        await JsonSerializer.SerializeAsync(http.Response.Body, line, LambdaJsonContext.Default.FunctionLogLine, http.RequestAborted)
            .ConfigureAwait(false);
        await http.Response.Body.WriteAsync("\n"u8.ToArray(), http.RequestAborted).ConfigureAwait(false);
    }
}
