using Microsoft.AspNetCore.Http;

namespace OpenSma.ControlPlane.Http;

/// <summary>
/// The JS SDK sends an empty path label as a trailing slash (<c>GET /sip-rules/</c> for
/// <c>SipRuleId: ""</c>). Routing would match that to the list operation, so it is refused here
/// as the invalid input it is.
/// </summary>
internal sealed class EmptyLabelFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var path = context.HttpContext.Request.Path.Value;
        if (path is { Length: > 1 } && path.EndsWith('/'))
        {
            throw JsonBody.Bad($"The request path {path} ends with an empty path parameter.");
        }

        return next(context);
    }
}
