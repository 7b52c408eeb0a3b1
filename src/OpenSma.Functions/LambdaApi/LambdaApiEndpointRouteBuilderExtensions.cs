using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
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
        group.MapGet("/2015-03-31/functions/{functionName}",
            (FunctionHost host, string functionName, [FromQuery(Name = "Qualifier")] string? qualifier) => LambdaFunctionEndpoints.Get(host, functionName, qualifier));
        group.MapGet("/2015-03-31/functions/{functionName}/configuration",
            (FunctionHost host, string functionName, [FromQuery(Name = "Qualifier")] string? qualifier) =>
                LambdaFunctionEndpoints.GetConfiguration(host, functionName, qualifier));
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
        group.MapPost("/2015-03-31/functions/{functionName}/versions",
            (HttpContext http, FunctionHost host, string functionName) => LambdaVersionEndpoints.PublishAsync(http, host, functionName));
        group.MapGet("/2015-03-31/functions/{functionName}/versions",
            (FunctionHost host, string functionName) => LambdaVersionEndpoints.ListVersions(host, functionName));
        group.MapPost("/2015-03-31/functions/{functionName}/aliases",
            (HttpContext http, FunctionHost host, string functionName) => LambdaVersionEndpoints.CreateAliasAsync(http, host, functionName));
        group.MapGet("/2015-03-31/functions/{functionName}/aliases",
            (FunctionHost host, string functionName, [FromQuery(Name = "FunctionVersion")] string? functionVersion) =>
                LambdaVersionEndpoints.ListAliases(host, functionName, functionVersion));
        group.MapGet("/2015-03-31/functions/{functionName}/aliases/{alias}",
            (FunctionHost host, string functionName, string alias) => LambdaVersionEndpoints.GetAlias(host, functionName, alias));
        group.MapPut("/2015-03-31/functions/{functionName}/aliases/{alias}",
            (HttpContext http, FunctionHost host, string functionName, string alias) => LambdaVersionEndpoints.UpdateAliasAsync(http, host, functionName, alias));
        group.MapDelete("/2015-03-31/functions/{functionName}/aliases/{alias}",
            (FunctionHost host, string functionName, string alias) => LambdaVersionEndpoints.DeleteAlias(host, functionName, alias));
        group.MapGet(FunctionLogsEndpoint.Route,
            (HttpContext http, FunctionHost host, string functionName) => FunctionLogsEndpoint.GetAsync(http, host, functionName));
        return group;
    }
}
