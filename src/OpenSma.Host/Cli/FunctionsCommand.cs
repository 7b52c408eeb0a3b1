using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OpenSma.Functions.Client;
using OpenSma.Functions.Hosting;
using OpenSma.Functions.Registry;

namespace OpenSma.Host.Cli;

/// <summary>
/// <c>opensma functions add|list|remove|logs</c>. By default the verbs act on a running
/// <c>opensma serve</c> through its Lambda API (<c>--api-url</c>), exactly as <c>aws lambda</c> does
/// against the same server, so a change takes effect at once and <c>logs</c> shows what the
/// server's functions printed. With <c>--config FILE</c>, <c>add</c>, <c>list</c> and <c>remove</c>
/// edit that configuration file's <c>Functions</c> list instead (read by serve and call at start);
/// no server is needed. Logs live in the server, so <c>logs</c> always asks the server.
/// </summary>
internal static class FunctionsCommand
{
    private const int ExitOk = 0;
    private const int ExitFailed = 1;
    private const int ExitUsage = 2;

    public static Command Create()
    {
        var apiUrl = new Option<string>("--api-url")
        {
            Description = "The API address of the running opensma serve.",
            DefaultValueFactory = _ => "http://127.0.0.1:8686",
            Recursive = true,
        };
        return new Command("functions", "Manage local Lambda functions: on a running opensma serve (--api-url), or in a configuration file (--config).")
        {
            apiUrl,
            Add(apiUrl),
            List(apiUrl),
            Remove(apiUrl),
            Logs(apiUrl),
        };
    }

    private static Option<string?> ConfigOption() => new("--config")
    {
        Description = "Edit this configuration file's Functions list instead of a running server (it is created when missing).",
    };

    private static Command Add(Option<string> apiUrl)
    {
        var name = new Argument<string>("name") { Description = "The function name (the NAME of arn:aws:lambda:REGION:ACCOUNT:function:NAME)." };
        var runtime = new Option<string>("--runtime") { Description = "nodejs20.x, python3.12, dotnet8, provided.al2023, ...", Required = true };
        var handler = new Option<string>("--handler") { Description = "The handler: index.handler, app.lambda_handler, Assembly::Namespace.Class::Method.", DefaultValueFactory = _ => "index.handler" };
        var code = new Option<string>("--code") { Description = "A code folder (used in place, hot reloaded) or a .zip package.", Required = true };
        var env = new Option<string[]>("--env") { Description = "An environment variable NAME=VALUE. Repeatable.", AllowMultipleArgumentsPerToken = false };
        var memory = new Option<int>("--memory") { Description = "Memory size in MB (reported, not enforced).", DefaultValueFactory = _ => 128 };
        var timeout = new Option<int>("--timeout") { Description = "Function timeout in seconds.", DefaultValueFactory = _ => 3 };
        var reserved = new Option<int?>("--reserved-concurrency") { Description = "Most sandboxes running at once (0 throttles every invocation)." };
        var description = new Option<string?>("--description") { Description = "A description." };
        var config = ConfigOption();
        var command = new Command("add", "Add a function, or replace the one with that name.")
        {
            name, runtime, handler, code, env, memory, timeout, reserved, description, config,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            FunctionDefinition definition;
            try
            {
                definition = Definition(result.GetValue(name)!, result.GetValue(runtime)!, result.GetValue(handler)!, result.GetValue(code)!,
                    result.GetValue(env), result.GetValue(memory), result.GetValue(timeout), result.GetValue(reserved), result.GetValue(description));
                FunctionRegistry.Check(definition);
            }
            catch (FunctionConfigurationException ex)
            {
                await error.WriteLineAsync("opensma functions add: " + ex.Message);
                return ExitUsage;
            }

            return await RunAsync("add", result, apiUrl, config, error, async target =>
            {
                if (target.File is { } file)
                {
                    file.Put(definition);
                    await output.WriteLineAsync($"{definition.Name}: written to {file}");
                }
                else
                {
                    await target.Client!.PutAsync(definition, cancellationToken);
                    await output.WriteLineAsync($"{definition.Name}: deployed to {target.Url}");
                }

                return ExitOk;
            });
        });
        return command;
    }

    private static Command List(Option<string> apiUrl)
    {
        var json = new Option<bool>("--json") { Description = "Write the list as JSON." };
        var config = ConfigOption();
        var command = new Command("list", "List the functions.") { json, config };
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            return await RunAsync("list", result, apiUrl, config, result.InvocationConfiguration.Error, async target =>
            {
                var functions = target.File is { } file ? file.List() : await target.Client!.ListAsync(cancellationToken);
                if (result.GetValue(json))
                {
                    await output.WriteLineAsync(JsonSerializer.Serialize(functions, JsonOptions));
                    return ExitOk;
                }

                if (functions.Count == 0)
                {
                    await output.WriteLineAsync("(no functions)");
                    return ExitOk;
                }

                await output.WriteLineAsync($"{"NAME",-24} {"RUNTIME",-16} {"HANDLER",-32} {"MEMORY",6} {"TIMEOUT",7} {"RESERVED",8}  CODE");
                foreach (var f in functions)
                {
                    var reservedText = f.ReservedConcurrency?.ToString(CultureInfo.InvariantCulture) ?? "-";
                    await output.WriteLineAsync($"{f.Name,-24} {f.Runtime,-16} {f.Handler,-32} {f.MemorySize,6} {f.Timeout,6}s {reservedText,8}  {f.Code ?? "-"}");
                }

                return ExitOk;
            });
        });
        return command;
    }

    private static Command Remove(Option<string> apiUrl)
    {
        var name = new Argument<string>("name") { Description = "The function name." };
        var config = ConfigOption();
        var command = new Command("remove", "Remove a function (a server stops its sandboxes).") { name, config };
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            var functionName = result.GetValue(name)!;
            return await RunAsync("remove", result, apiUrl, config, error, async target =>
            {
                var removed = target.File is { } file ? file.Remove(functionName) : await target.Client!.RemoveAsync(functionName, cancellationToken);
                if (!removed)
                {
                    await error.WriteLineAsync($"opensma functions remove: no function named '{functionName}'.");
                    return ExitFailed;
                }

                await output.WriteLineAsync($"{functionName}: removed");
                return ExitOk;
            });
        });
        return command;
    }

    private static Command Logs(Option<string> apiUrl)
    {
        var name = new Argument<string>("name") { Description = "The function name." };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines until Ctrl-C." };
        var transaction = new Option<string?>("--transaction-id") { Description = "Only lines of invocations for this SMA TransactionId." };
        var limit = new Option<int>("--limit") { Description = "How many recent lines to print first.", DefaultValueFactory = _ => 200 };
        var json = new Option<bool>("--json") { Description = "Write one JSON object per line." };
        var command = new Command("logs", "Print what a function running in opensma serve wrote (stdout, stderr, START/END/REPORT), tagged with the request id and the SMA TransactionId.")
        {
            name, follow, transaction, limit, json,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            if (result.GetValue(limit) < 0)
            {
                await result.InvocationConfiguration.Error.WriteLineAsync("opensma functions logs: --limit must be zero or more.");
                return ExitUsage;
            }

            return await RunAsync("logs", result, apiUrl, config: null, result.InvocationConfiguration.Error, async target =>
            {
                await foreach (var entry in target.Client!.LogsAsync(
                    result.GetValue(name)!, result.GetValue(limit), result.GetValue(transaction), result.GetValue(follow), cancellationToken))
                {
                    await output.WriteLineAsync(result.GetValue(json) ? JsonSerializer.Serialize(entry, JsonOptions) : entry.ToString());
                    await output.FlushAsync(cancellationToken);
                }

                return ExitOk;
            });
        });
        return command;
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private static FunctionDefinition Definition(
        string name, string runtime, string handler, string code, string[]? env, int memory, int timeout, int? reserved, string? description)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in env ?? [])
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FunctionConfigurationException($"--env: '{pair}' must be NAME=VALUE.");
            }

            variables[pair[..eq]] = pair[(eq + 1)..];
        }

        var isZip = File.Exists(code) && code.EndsWith(".zip", StringComparison.OrdinalIgnoreCase);
        if (!isZip && !Directory.Exists(code))
        {
            throw new FunctionConfigurationException($"--code: '{code}' is neither a folder nor a .zip file.");
        }

        return new FunctionDefinition
        {
            Name = name,
            Runtime = runtime,
            Handler = handler,
            CodeDirectory = isZip ? null : Path.GetFullPath(code),
            ZipFile = isZip ? Path.GetFullPath(code) : null,
            MemorySize = memory,
            Timeout = timeout,
            ReservedConcurrency = reserved,
            Description = description ?? string.Empty,
            Environment = variables,
        };
    }

    /// <summary>Where a verb acts: a configuration file, or a server's API.</summary>
    private sealed record Target(FunctionsConfigurationFile? File, LambdaApiClient? Client, string Url);

    /// <summary>Runs a verb against its target and turns every expected failure into a message and an exit code.</summary>
    private static async Task<int> RunAsync(
        string verb, ParseResult result, Option<string> apiUrl, Option<string?>? config, TextWriter error, Func<Target, Task<int>> body)
    {
        var url = result.GetValue(apiUrl)!;
        var file = config is null ? null : result.GetValue(config);
        if (file is not null)
        {
            try
            {
                return await body(new Target(new FunctionsConfigurationFile(file), null, file));
            }
            catch (Exception ex) when (ex is FunctionConfigurationException or IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"opensma functions {verb}: {ex.Message}");
                return ExitFailed;
            }
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseAddress) || (baseAddress.Scheme != Uri.UriSchemeHttp && baseAddress.Scheme != Uri.UriSchemeHttps))
        {
            await error.WriteLineAsync($"opensma functions {verb}: --api-url '{url}' is not an http(s) address.");
            return ExitUsage;
        }

        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        try
        {
            return await body(new Target(null, new LambdaApiClient(http), url));
        }
        catch (OperationCanceledException)
        {
            return ExitOk; // Ctrl-C, e.g. ending logs --follow
        }
        catch (LambdaApiException ex)
        {
            await error.WriteLineAsync($"opensma functions {verb}: {ex.Message}");
            return ExitFailed;
        }
        catch (HttpRequestException ex)
        {
            await error.WriteLineAsync($"opensma functions {verb}: no OpenSMA server answered at {url} ({ex.Message}). Start one with 'opensma serve', or use --config FILE to edit a configuration file.");
            return ExitFailed;
        }
        catch (Exception ex) when (ex is FunctionConfigurationException or IOException or JsonException)
        {
            await error.WriteLineAsync($"opensma functions {verb}: {ex.Message}");
            return ExitFailed;
        }
    }
}
