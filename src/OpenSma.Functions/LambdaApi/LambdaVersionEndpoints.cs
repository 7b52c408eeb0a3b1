using Microsoft.AspNetCore.Http;
using OpenSma.Functions.Hosting;
using OpenSma.Functions.Registry;

namespace OpenSma.Functions.LambdaApi;

/// <summary>PublishVersion, ListVersionsByFunction and the alias operations, with Lambda's routes and errors.</summary>
internal static class LambdaVersionEndpoints
{
    public static async Task<IResult> PublishAsync(HttpContext http, FunctionHost host, string functionName)
    {
        var input = http.Request.ContentLength is 0 ? new PublishVersionInput() : null;
        if (input is null)
        {
            var (read, bad) = await LambdaFunctionEndpoints.ReadAsync(http, LambdaJsonContext.Default.PublishVersionInput).ConfigureAwait(false);
            if (read is null)
                return bad!;
            input = read;
        }
        if (!Name(functionName, out var name) || !host.Registry.TryGet(name, out var latest))
            return LambdaFunctionEndpoints.NotFound(host, functionName);
        if (input.CodeSha256 is { } expected && expected != latest.CodeSha256)
            return LambdaApiResults.Error(StatusCodes.Status412PreconditionFailed, "PreconditionFailedException",
                $"CodeSha256 ({expected}) is different from the current code ({latest.CodeSha256}).");
        try
        {
            var version = host.Registry.Publish(name, input.Description);
            return version is null
                ? LambdaFunctionEndpoints.NotFound(host, functionName)
                : Results.Json(LambdaApiResults.Configuration(version), LambdaJsonContext.Default.FunctionConfigurationOutput,
                    statusCode: StatusCodes.Status201Created);
        }
        catch (IOException e)
        {
            return LambdaApiResults.Error(StatusCodes.Status500InternalServerError, "ServiceException", "Could not publish the version: " + e.Message);
        }
    }

    public static IResult ListVersions(FunctionHost host, string functionName) =>
        Name(functionName, out var name) && host.Registry.ListVersions(name) is { } versions
            ? Results.Json(new ListVersionsOutput([.. versions.Select(LambdaApiResults.Configuration)]), LambdaJsonContext.Default.ListVersionsOutput)
            : LambdaFunctionEndpoints.NotFound(host, functionName);

    public static async Task<IResult> CreateAliasAsync(HttpContext http, FunctionHost host, string functionName)
    {
        var (input, bad) = await LambdaFunctionEndpoints.ReadAsync(http, LambdaJsonContext.Default.AliasInput).ConfigureAwait(false);
        if (input is null)
            return bad!;
        if (string.IsNullOrEmpty(input.Name) || string.IsNullOrEmpty(input.FunctionVersion))
            return LambdaApiResults.InvalidParameter("Name and FunctionVersion are required.");
        return Put(host, functionName, input.Name, input.FunctionVersion, input.Description, mustExist: false, StatusCodes.Status201Created);
    }

    public static async Task<IResult> UpdateAliasAsync(HttpContext http, FunctionHost host, string functionName, string alias)
    {
        var (input, bad) = await LambdaFunctionEndpoints.ReadAsync(http, LambdaJsonContext.Default.AliasInput).ConfigureAwait(false);
        if (input is null)
            return bad!;
        return Put(host, functionName, alias, input.FunctionVersion, input.Description, mustExist: true, StatusCodes.Status200OK);
    }

    public static IResult GetAlias(FunctionHost host, string functionName, string alias) =>
        Name(functionName, out var name) && host.Registry.GetAlias(name, alias) is { } found
            ? Results.Json(LambdaApiResults.Alias(found), LambdaJsonContext.Default.AliasConfigurationOutput)
            : AliasNotFound(host, functionName, alias);

    public static IResult ListAliases(FunctionHost host, string functionName, string? functionVersion)
    {
        if (!Name(functionName, out var name) || host.Registry.ListAliases(name) is not { } aliases)
            return LambdaFunctionEndpoints.NotFound(host, functionName);
        var selected = functionVersion is null ? aliases : [.. aliases.Where(a => a.FunctionVersion == functionVersion)];
        return Results.Json(new ListAliasesOutput([.. selected.Select(LambdaApiResults.Alias)]), LambdaJsonContext.Default.ListAliasesOutput);
    }

    public static IResult DeleteAlias(FunctionHost host, string functionName, string alias)
    {
        if (!Name(functionName, out var name) || !host.Registry.TryGet(name, out _))
            return LambdaFunctionEndpoints.NotFound(host, functionName);
        // Lambda answers 204 whether or not the alias existed.
        try
        {
            host.Registry.DeleteAlias(name, alias);
        }
        catch (IOException e)
        {
            return LambdaApiResults.ServiceError(e);
        }
        return Results.NoContent();
    }

    private static IResult Put(FunctionHost host, string functionName, string alias, string? version, string? description, bool mustExist, int status)
    {
        if (!Name(functionName, out var name))
            return LambdaFunctionEndpoints.NotFound(host, functionName);
        try
        {
            var entry = host.Registry.PutAlias(name, alias, version, description, mustExist);
            if (entry is null)
                return host.Registry.TryGet(name, out _) ? AliasNotFound(host, functionName, alias) : LambdaFunctionEndpoints.NotFound(host, functionName);
            return Results.Json(LambdaApiResults.Alias(entry), LambdaJsonContext.Default.AliasConfigurationOutput, statusCode: status);
        }
        catch (AliasConflictException e)
        {
            return LambdaApiResults.Error(StatusCodes.Status409Conflict, "ResourceConflictException", e.Message);
        }
        catch (FunctionConfigurationException e) when (e.Message.Contains("does not exist", StringComparison.Ordinal))
        {
            return LambdaApiResults.Error(StatusCodes.Status404NotFound, "ResourceNotFoundException", e.Message);
        }
        catch (FunctionConfigurationException e)
        {
            return LambdaApiResults.InvalidParameter(e.Message);
        }
        catch (IOException e)
        {
            return LambdaApiResults.ServiceError(e);
        }
    }

    private static IResult AliasNotFound(FunctionHost host, string functionName, string alias) =>
        LambdaApiResults.Error(StatusCodes.Status404NotFound, "ResourceNotFoundException",
            $"Alias not found: {host.Registry.ArnFor(Name(functionName, out var name) ? name : functionName)}:{alias}");

    private static bool Name(string nameOrArn, out string name)
    {
        name = LambdaArn.TryParse(nameOrArn, out var arn) ? arn.FunctionName : "";
        return name.Length > 0;
    }
}
