using System.Globalization;
using OpenSma.Functions.Hosting;
using OpenSma.Functions.Registry;

namespace OpenSma.Functions.Runtimes;

/// <summary>
/// The environment a Lambda runtime process sees: Lambda's reserved variables, the user's
/// variables, dev credentials, and AWS SDK endpoint variables that send API calls to OpenSMA.
/// </summary>
internal static class LambdaEnvironment
{
    /// <summary>Host variables a runtime process needs to start at all (interpreters found through PATH and shims).</summary>
    private static readonly string[] PassedThrough = ["PATH", "HOME", "PYENV_ROOT", "DOTNET_ROOT", "TMPDIR", "NODE_OPTIONS"];

    public static Dictionary<string, string> Build(
        RegisteredFunction function,
        FunctionsOptions options,
        string runtimeApiAddress,
        string runtimeDirectory,
        string logStreamName)
    {
        var d = function.Definition;
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in PassedThrough)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
                env[name] = value;
        }
        var baseUrl = options.ServiceBaseUrl.ToString().TrimEnd('/');
        env["AWS_ENDPOINT_URL_CHIME_SDK_VOICE"] = baseUrl;
        env["AWS_ENDPOINT_URL_CHIME"] = baseUrl;
        env["AWS_ENDPOINT_URL_S3"] = baseUrl;
        env["AWS_ENDPOINT_URL_LAMBDA"] = baseUrl;
        if (options.DevMode)
        {
            env["AWS_ACCESS_KEY_ID"] = options.DevAccessKeyId;
            env["AWS_SECRET_ACCESS_KEY"] = options.DevSecretAccessKey;
            env["AWS_SESSION_TOKEN"] = "opensma-dev-session";
        }
        // The user's variables may override the defaults above, but not Lambda's reserved ones below.
        foreach (var (key, value) in d.Environment)
            env[key] = value;
        env["AWS_REGION"] = options.Region;
        env["AWS_DEFAULT_REGION"] = options.Region;
        env["AWS_EXECUTION_ENV"] = RuntimeCatalog.ExecutionEnvironment(d.Runtime);
        env["AWS_LAMBDA_FUNCTION_NAME"] = d.Name;
        env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = d.MemorySize.ToString(CultureInfo.InvariantCulture);
        env["AWS_LAMBDA_FUNCTION_VERSION"] = function.Version;
        env["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand";
        env["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/" + d.Name;
        env["AWS_LAMBDA_LOG_STREAM_NAME"] = logStreamName;
        env["AWS_LAMBDA_RUNTIME_API"] = runtimeApiAddress;
        env["_HANDLER"] = d.Handler;
        env["LAMBDA_TASK_ROOT"] = function.CodeRoot;
        env["LAMBDA_RUNTIME_DIR"] = runtimeDirectory;
        env["TZ"] = ":UTC";
        env["LANG"] = "en_US.UTF-8";
        env["PYTHONUNBUFFERED"] = "1";
        env["PYTHONDONTWRITEBYTECODE"] = "1";
        return env;
    }
}
