using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenSma.Functions.Hosting;

namespace OpenSma.Functions.LambdaApi;

public static class LambdaApiEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the subset of the Lambda API that deploy tools use, so <c>aws lambda ... --endpoint-url</c>
    /// works against OpenSMA. Needs <see cref="FunctionsServiceCollectionExtensions.AddOpenSmaFunctions"/>.
    /// </summary>
    public static RouteGroupBuilder MapLambdaApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("");
        group.MapPost("/2015-03-31/functions", (HttpContext http, FunctionHost host) => LambdaFunctionEndpoints.CreateAsync(http, host));
        group.MapGet("/2015-03-31/functions", (FunctionHost host) => LambdaFunctionEndpoints.List(host));
        group.MapGet("/2015-03-31/functions/{functionName}", (FunctionHost host, string functionName) => LambdaFunctionEndpoints.Get(host, functionName));
        group.MapGet("/2015-03-31/functions/{functionName}/configuration",
            (FunctionHost host, string functionName) => LambdaFunctionEndpoints.GetConfiguration(host, functionName));
        group.MapDelete("/2015-03-31/functions/{functionName}",
            (FunctionHost host, string functionName) => LambdaFunctionEndpoints.DeleteAsync(host, functionName));
        group.MapPut("/2015-03-31/functions/{functionName}/code",
            (HttpContext http, FunctionHost host, string functionName) => LambdaFunctionEndpoints.UpdateCodeAsync(http, host, functionName));
        group.MapPut("/2015-03-31/functions/{functionName}/configuration",
            (HttpContext http, FunctionHost host, string functionName) => LambdaFunctionEndpoints.UpdateConfigurationAsync(http, host, functionName));
        group.MapPost("/2015-03-31/functions/{functionName}/invocations",
            (HttpContext http, FunctionHost host, string functionName) => LambdaInvokeEndpoint.InvokeAsync(http, host, functionName));
        group.MapPut("/2017-10-31/functions/{functionName}/concurrency",
            (HttpContext http, FunctionHost host, string functionName) => LambdaFunctionEndpoints.PutConcurrencyAsync(http, host, functionName));
        group.MapDelete("/2017-10-31/functions/{functionName}/concurrency",
            (FunctionHost host, string functionName) => LambdaFunctionEndpoints.DeleteConcurrency(host, functionName));
        group.MapGet(FunctionLogsEndpoint.Route,
            (HttpContext http, FunctionHost host, string functionName) => FunctionLogsEndpoint.GetAsync(http, host, functionName));
        return group;
    }
}
