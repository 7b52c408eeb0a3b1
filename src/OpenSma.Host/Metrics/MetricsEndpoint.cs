using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace OpenSma.Host.Metrics;

internal static class MetricsEndpoint
{
    public const string Path = "/metrics";

    /// <summary>
    /// <c>GET /metrics</c> on the API address. Mapped as a route, so the S3 middleware, which runs
    /// before routing, still claims a signed request for a bucket named "metrics"; the Chime and
    /// Lambda APIs have no route there.
    /// </summary>
    public static IEndpointConventionBuilder MapOpenSmaMetrics(this IEndpointRouteBuilder endpoints)
    {
        var metrics = endpoints.ServiceProvider.GetRequiredService<ServeMetrics>();
        return endpoints.MapGet(Path, () => Results.Text(metrics.Render(), PrometheusText.ContentType, Encoding.UTF8));
    }
}
