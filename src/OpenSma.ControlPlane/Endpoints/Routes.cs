using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenSma.ControlPlane.Http;

namespace OpenSma.ControlPlane.Endpoints;

internal static class Routes
{
    /// <summary>A path label after routing has decoded it (<c>%2B</c> is already <c>+</c>).</summary>
    public static string Label(HttpContext context, string name)
    {
        var value = context.GetRouteValue(name) as string;
        if (!Patterns.IsNonEmpty(value))
        {
            throw JsonBody.Bad($"The path parameter {name} must not be empty.");
        }

        return value!;
    }

    /// <summary>The literal query marker of operations that share a path (<c>?operation=…</c>).</summary>
    public static string? Operation(HttpContext context) =>
        context.Request.Query.TryGetValue("operation", out var values) ? values[^1] : null;

    public static AwsErrorException UnknownOperation(HttpContext context) =>
        new(AwsError.NotFound($"No operation matches {context.Request.Method} {context.Request.Path}{context.Request.QueryString}."));
}
