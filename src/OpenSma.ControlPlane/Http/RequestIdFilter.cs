using Microsoft.AspNetCore.Http;

namespace OpenSma.ControlPlane.Http;

/// <summary>Adds <c>x-amzn-RequestId</c>, which the SDKs surface as the request's metadata.</summary>
internal sealed class RequestIdFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        context.HttpContext.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        return next(context);
    }
}
