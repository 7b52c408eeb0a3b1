using System.Globalization;
using Microsoft.AspNetCore.Http;
using OpenSma.Functions.Registry;

namespace OpenSma.Functions.LambdaApi;

/// <summary>Lambda's error responses (the X-Amzn-ErrorType header names the error, the body says why) and output mapping.</summary>
internal static class LambdaApiResults
{
    public static IResult Error(int status, string code, string message, string? reason = null) =>
        new ErrorResult(status, code, new LambdaErrorOutput("User", message, reason));

    public static IResult NotFound(string nameOrArn, string accountId, string region) =>
        Error(StatusCodes.Status404NotFound, "ResourceNotFoundException",
            $"Function not found: {(nameOrArn.StartsWith("arn:", StringComparison.Ordinal) ? nameOrArn : LambdaArn.Format(region, accountId, nameOrArn))}");

    public static IResult InvalidParameter(string message) =>
        Error(StatusCodes.Status400BadRequest, "InvalidParameterValueException", message);

    /// <summary>A change that could not be saved (disk full, no permission): Lambda's ServiceException, nothing changed.</summary>
    public static IResult ServiceError(IOException e) =>
        Error(StatusCodes.Status500InternalServerError, "ServiceException", e.Message);

    public static FunctionConfigurationOutput Configuration(RegisteredFunction f) => new()
    {
        FunctionName = f.Name,
        FunctionArn = f.Arn,
        Runtime = f.Definition.Runtime,
        Role = f.Definition.Role,
        Handler = f.Definition.Handler,
        CodeSize = f.CodeSize,
        Description = f.Definition.Description,
        Timeout = f.Definition.Timeout,
        MemorySize = f.Definition.MemorySize,
        LastModified = f.LastModified.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture) + "+0000",
        CodeSha256 = f.CodeSha256,
        Version = f.Version,
        Environment = f.Definition.Environment.Count == 0 ? null : new EnvironmentOutput(new Dictionary<string, string>(f.Definition.Environment)),
    };

    public static AliasConfigurationOutput Alias(FunctionAlias a) => new(a.Arn, a.Name, a.FunctionVersion, a.Description, a.RevisionId);

    private sealed class ErrorResult(int status, string code, LambdaErrorOutput body) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.Headers["X-Amzn-ErrorType"] = code;
            return httpContext.Response.WriteAsJsonAsync(body, LambdaJsonContext.Default.LambdaErrorOutput, "application/json");
        }
    }
}
