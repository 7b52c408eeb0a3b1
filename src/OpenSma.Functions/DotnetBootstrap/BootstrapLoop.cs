using System.Globalization;

namespace OpenSma.Functions.DotnetBootstrap;

/// <summary>Init (load the handler), then next → invoke → response/error, forever.</summary>
internal static class BootstrapLoop
{
    private const string Marker = "\u001eOPENSMA-END ";

    public static async Task<int> RunAsync()
    {
        var api = Environment.GetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API") ?? "";
        var taskRoot = Environment.GetEnvironmentVariable("LAMBDA_TASK_ROOT") ?? Environment.CurrentDirectory;
        var handlerName = Environment.GetEnvironmentVariable("_HANDLER") ?? "";
        using var client = new RuntimeApiClient(api);
        HandlerMethod handler;
        try
        {
            handler = HandlerMethod.Load(taskRoot, handlerName);
        }
        catch (HandlerLoadException e)
        {
            await Console.Error.WriteLineAsync($"{e.ErrorType}: {e.Message}").ConfigureAwait(false);
            await client.InitErrorAsync(e.ErrorType, e.Message, e.InnerException).ConfigureAwait(false);
            return 129;
        }
        catch (BadImageFormatException e)
        {
            await client.InitErrorAsync("Runtime.ImportModuleError", e.Message, e).ConfigureAwait(false);
            return 129;
        }

        while (await client.NextAsync().ConfigureAwait(false) is { } next)
        {
            var requestId = Header(next.Headers, "Lambda-Runtime-Aws-Request-Id");
            Environment.SetEnvironmentVariable("_X_AMZN_TRACE_ID", Header(next.Headers, "Lambda-Runtime-Trace-Id"));
            var context = new LambdaContextValues(
                requestId,
                Environment.GetEnvironmentVariable("AWS_LAMBDA_FUNCTION_NAME") ?? "",
                Environment.GetEnvironmentVariable("AWS_LAMBDA_FUNCTION_VERSION") ?? "$LATEST",
                Header(next.Headers, "Lambda-Runtime-Invoked-Function-Arn"),
                int.TryParse(Environment.GetEnvironmentVariable("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), CultureInfo.InvariantCulture, out var mb) ? mb : 128,
                Environment.GetEnvironmentVariable("AWS_LAMBDA_LOG_GROUP_NAME") ?? "",
                Environment.GetEnvironmentVariable("AWS_LAMBDA_LOG_STREAM_NAME") ?? "",
                long.TryParse(Header(next.Headers, "Lambda-Runtime-Deadline-Ms"), CultureInfo.InvariantCulture, out var deadline) ? deadline : 0);
            byte[] reply;
            try
            {
                reply = await handler.InvokeAsync(next.Body, context).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                await Console.Error.WriteLineAsync($"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ}\t{requestId}\tfail\t{e}").ConfigureAwait(false);
                EndMarkers(requestId);
                await client.ErrorAsync(requestId, e).ConfigureAwait(false);
                continue;
            }
            EndMarkers(requestId);
            await client.RespondAsync(requestId, reply).ConfigureAwait(false);
        }
        return 0;
    }

    private static string Header(System.Net.Http.Headers.HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.First() : "";

    private static void EndMarkers(string requestId)
    {
        Console.Out.WriteLine(Marker + requestId);
        Console.Out.Flush();
        Console.Error.WriteLine(Marker + requestId);
        Console.Error.Flush();
    }
}
