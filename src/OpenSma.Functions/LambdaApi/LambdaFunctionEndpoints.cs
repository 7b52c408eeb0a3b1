using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenSma.Functions.Hosting;
using OpenSma.Functions.Registry;
using OpenSma.Storage.Objects;

namespace OpenSma.Functions.LambdaApi;

/// <summary>CreateFunction, GetFunction, ListFunctions, UpdateFunctionCode/Configuration, DeleteFunction and concurrency.</summary>
internal static class LambdaFunctionEndpoints
{
    public static async Task<IResult> CreateAsync(HttpContext http, FunctionHost host)
    {
        var (input, bad) = await ReadAsync(http, LambdaJsonContext.Default.CreateFunctionInput).ConfigureAwait(false);
        if (input is null)
            return bad!;
        if (string.IsNullOrEmpty(input.FunctionName) || !LambdaArn.TryParse(input.FunctionName, out var arn))
            return LambdaApiResults.InvalidParameter("FunctionName is missing or invalid.");
        if (host.Registry.TryGet(arn.FunctionName, out _))
            return LambdaApiResults.Error(StatusCodes.Status409Conflict, "ResourceConflictException", $"Function already exist: {arn.FunctionName}");
        if (input.PackageType == "Image" || input.Code?.ImageUri is not null)
            return LambdaApiResults.InvalidParameter("Container image functions are not supported; use a .zip package.");
        if (string.IsNullOrEmpty(input.Runtime) || string.IsNullOrEmpty(input.Handler))
            return LambdaApiResults.InvalidParameter("Runtime and Handler are required for .zip functions.");
        var (code, codeError) = await CodeAsync(http, input.Code?.ZipFile, input.Code?.S3Bucket, input.Code?.S3Key).ConfigureAwait(false);
        if (code is null)
            return codeError!;
        var definition = new FunctionDefinition
        {
            Name = arn.FunctionName,
            CodeDirectory = code.Directory,
            Runtime = input.Runtime,
            Handler = input.Handler,
            Role = input.Role ?? "",
            Description = input.Description ?? "",
            Timeout = input.Timeout ?? 3,
            MemorySize = input.MemorySize ?? 128,
            Environment = input.Environment?.Variables ?? [],
        };
        try
        {
            var entry = host.Registry.Put(definition, code.ZipBytes);
            if (input.Publish)
                entry = host.Registry.Publish(entry.Name) ?? entry;
            return Results.Json(LambdaApiResults.Configuration(entry), LambdaJsonContext.Default.FunctionConfigurationOutput,
                statusCode: StatusCodes.Status201Created);
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

    public static IResult Get(FunctionHost host, string functionName, string? qualifier)
    {
        if (!host.Registry.TryGet(functionName, qualifier, out var f))
            return NotFound(host, functionName);
        var concurrency = f.Definition.ReservedConcurrency is { } c ? new ConcurrencyOutput(c) : null;
        var output = new GetFunctionOutput(LambdaApiResults.Configuration(f),
            new FunctionCodeLocationOutput(f.WatchCode ? "Directory" : "S3", new Uri(f.CodeRoot).AbsoluteUri), concurrency);
        return Results.Json(output, LambdaJsonContext.Default.GetFunctionOutput);
    }

    public static IResult GetConfiguration(FunctionHost host, string functionName, string? qualifier) =>
        host.Registry.TryGet(functionName, qualifier, out var f)
            ? Results.Json(LambdaApiResults.Configuration(f), LambdaJsonContext.Default.FunctionConfigurationOutput)
            : NotFound(host, functionName);

    public static IResult List(FunctionHost host) =>
        Results.Json(new ListFunctionsOutput([.. host.List().Select(LambdaApiResults.Configuration)]), LambdaJsonContext.Default.ListFunctionsOutput);

    public static async Task<IResult> DeleteAsync(FunctionHost host, string functionName)
    {
        try
        {
            return await host.RemoveAsync(functionName).ConfigureAwait(false) ? Results.NoContent() : NotFound(host, functionName);
        }
        catch (IOException e)
        {
            return LambdaApiResults.ServiceError(e);
        }
    }

    public static async Task<IResult> UpdateCodeAsync(HttpContext http, FunctionHost host, string functionName)
    {
        var (input, bad) = await ReadAsync(http, LambdaJsonContext.Default.UpdateFunctionCodeInput).ConfigureAwait(false);
        if (input is null)
            return bad!;
        if (!host.Registry.TryGet(functionName, out var current))
            return NotFound(host, functionName);
        if (input.ImageUri is not null)
            return LambdaApiResults.InvalidParameter("Container image functions are not supported; use a .zip package.");
        var (code, codeError) = await CodeAsync(http, input.ZipFile, input.S3Bucket, input.S3Key).ConfigureAwait(false);
        if (code is null)
            return codeError!;
        try
        {
            var entry = host.Registry.Put(current.Definition with { CodeDirectory = code.Directory, ZipFile = null }, code.ZipBytes);
            if (input.Publish)
                entry = host.Registry.Publish(entry.Name) ?? entry;
            return Results.Json(LambdaApiResults.Configuration(entry), LambdaJsonContext.Default.FunctionConfigurationOutput);
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

    public static async Task<IResult> UpdateConfigurationAsync(HttpContext http, FunctionHost host, string functionName)
    {
        var (input, bad) = await ReadAsync(http, LambdaJsonContext.Default.UpdateFunctionConfigurationInput).ConfigureAwait(false);
        if (input is null)
            return bad!;
        try
        {
            var entry = host.Registry.UpdateConfiguration(functionName, d => d with
            {
                Runtime = input.Runtime ?? d.Runtime,
                Role = input.Role ?? d.Role,
                Handler = input.Handler ?? d.Handler,
                Description = input.Description ?? d.Description,
                Timeout = input.Timeout ?? d.Timeout,
                MemorySize = input.MemorySize ?? d.MemorySize,
                Environment = input.Environment is { } env ? env.Variables ?? [] : d.Environment,
            });
            return entry is null
                ? NotFound(host, functionName)
                : Results.Json(LambdaApiResults.Configuration(entry), LambdaJsonContext.Default.FunctionConfigurationOutput);
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

    public static async Task<IResult> PutConcurrencyAsync(HttpContext http, FunctionHost host, string functionName)
    {
        var (input, bad) = await ReadAsync(http, LambdaJsonContext.Default.PutConcurrencyInput).ConfigureAwait(false);
        if (input is null)
            return bad!;
        if (input.ReservedConcurrentExecutions is not { } reserved || reserved < 0)
            return LambdaApiResults.InvalidParameter("ReservedConcurrentExecutions must be zero or more.");
        try
        {
            var entry = host.Registry.UpdateConfiguration(functionName, d => d with { ReservedConcurrency = reserved });
            return entry is null ? NotFound(host, functionName) : Results.Json(new ConcurrencyOutput(reserved), LambdaJsonContext.Default.ConcurrencyOutput);
        }
        catch (IOException e)
        {
            return LambdaApiResults.ServiceError(e);
        }
    }

    public static IResult DeleteConcurrency(FunctionHost host, string functionName)
    {
        try
        {
            return host.Registry.UpdateConfiguration(functionName, d => d with { ReservedConcurrency = null }) is null
                ? NotFound(host, functionName)
                : Results.NoContent();
        }
        catch (IOException e)
        {
            return LambdaApiResults.ServiceError(e);
        }
    }

    internal static IResult NotFound(FunctionHost host, string functionName) =>
        LambdaApiResults.NotFound(functionName, host.Options.AccountId, host.Options.Region);

    internal static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpContext http, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync(http.Request.Body, type, http.RequestAborted).ConfigureAwait(false);
            return value is null ? (null, LambdaApiResults.Error(400, "InvalidRequestContentException", "The request body is empty.")) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, LambdaApiResults.Error(400, "InvalidRequestContentException", "Could not parse request body into json: " + e.Message));
        }
    }

    /// <summary>
    /// The code: package bytes from ZipFile or from an S3 location in OpenSMA's object store, or a
    /// folder on this machine named by the <c>hot-reload</c> bucket convention (<c>S3Bucket=hot-reload</c>,
    /// <c>S3Key=/absolute/folder</c>, as LocalStack spells it), which is used in place and watched.
    /// </summary>
    private static async Task<(CodeSource? Code, IResult? Error)> CodeAsync(HttpContext http, byte[]? zipFile, string? bucket, string? key)
    {
        if (zipFile is { Length: > 0 })
            return (new CodeSource(zipFile, null), null);
        if (bucket is null || key is null)
            return (null, LambdaApiResults.InvalidParameter("Code must have ZipFile, or S3Bucket and S3Key."));
        if (bucket == HotReloadBucket)
        {
            return Path.IsPathFullyQualified(key)
                ? (new CodeSource(null, key), null)
                : (null, LambdaApiResults.InvalidParameter($"With S3Bucket '{HotReloadBucket}', S3Key must be an absolute folder path; '{key}' is not."));
        }
        var store = http.RequestServices.GetService<IObjectStore>();
        if (store is null)
            return (null, LambdaApiResults.InvalidParameter("No object store is configured for S3 code locations."));
        var read = await store.GetAsync(bucket, key, http.RequestAborted).ConfigureAwait(false);
        return read.Status == ObjectStatus.Ok
            ? (new CodeSource(read.Content.ToArray(), null), null)
            : (null, LambdaApiResults.InvalidParameter($"Error occurred while GetObject. S3 Error Code: {read.Status}. S3 Error Message: {read.Message}"));
    }

    /// <summary>The bucket name that means "a code folder on this machine" rather than an object.</summary>
    public const string HotReloadBucket = "hot-reload";

    /// <summary>Exactly one of the two is set.</summary>
    private sealed record CodeSource(byte[]? Zip, string? Directory)
    {
        /// <summary>What <see cref="FunctionRegistry.Put"/> takes: null (not an empty package) for a folder.</summary>
        public ReadOnlyMemory<byte>? ZipBytes => Zip is null ? (ReadOnlyMemory<byte>?)null : new ReadOnlyMemory<byte>(Zip);
    }
}
