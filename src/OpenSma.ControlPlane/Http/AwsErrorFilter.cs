using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OpenSma.ControlPlane.Http;

/// <summary>Every operation's last line of defence: expected failures become their AWS error,
/// anything unexpected becomes ServiceFailureException (never an HTML 500).</summary>
internal sealed partial class AwsErrorFilter(ILogger<AwsErrorFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (AwsErrorException ex)
        {
            return new AwsErrorResult(ex.Error);
        }
        catch (BadHttpRequestException ex)
        {
            return new AwsErrorResult(AwsError.BadRequest(ex.Message));
        }
        catch (OperationCanceledException) when (context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty;
        }
        catch (Exception ex)
        {
            LogUnexpected(logger, ex, context.HttpContext.Request.Method, context.HttpContext.Request.Path);
            return new AwsErrorResult(AwsError.ServiceFailure("The service failed to process the request."));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Control-plane request {Method} {Path} failed")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method, PathString path);
}
