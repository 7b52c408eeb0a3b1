using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenSma.Functions.Invocation;
using OpenSma.Functions.Logs;
using OpenSma.Functions.Registry;
using OpenSma.Functions.RuntimeApi;
using OpenSma.Functions.Runtimes;
using OpenSma.Functions.Sandboxes;

namespace OpenSma.Functions.Hosting;

/// <summary>
/// Local functions: the registry, the warm sandboxes of each function, and their logs. This is
/// the public surface the host, the CLI verbs and the Lambda API use.
/// </summary>
public sealed class FunctionHost : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, FunctionPool> _pools = new(StringComparer.Ordinal);
    private readonly FunctionsOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly Lazy<BootstrapFiles> _bootstrap;

    /// <param name="logger">Receives what went wrong loading the saved state (<see cref="FunctionsOptions.Durable"/>).</param>
    public FunctionHost(FunctionsOptions options, TimeProvider timeProvider, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _timeProvider = timeProvider;
        Registry = new FunctionRegistry(options.Region, options.AccountId, options.WorkDirectory, timeProvider,
            options.Durable == true ? options.StateDirectory : null);
        Logs = new FunctionLogBook(options.LogCapacity);
        _bootstrap = new Lazy<BootstrapFiles>(() => BootstrapFiles.Materialize(options.WorkDirectory));
        if (options.Durable == true && logger is not null)
        {
            foreach (var problem in Registry.LoadProblems)
                LogLoadProblem(logger, problem, null);
            LogLoaded(logger, Registry.List().Count, Registry.StateDirectory!, null);
        }
        // Configuration-file entries win over saved $LATEST of the same name; saved versions and aliases stay.
        foreach (var definition in options.Functions)
            Registry.PutConfigured(definition);
    }

    private static readonly Action<ILogger, string, Exception?> LogLoadProblem =
        LoggerMessage.Define<string>(LogLevel.Error, new EventId(1, "FunctionStateProblem"), "Functions state: {Problem}");

    private static readonly Action<ILogger, int, string, Exception?> LogLoaded =
        LoggerMessage.Define<int, string>(LogLevel.Information, new EventId(2, "FunctionStateLoaded"), "Loaded {Count} saved functions from {Directory}");

    public FunctionRegistry Registry { get; }

    public FunctionLogBook Logs { get; }

    public FunctionsOptions Options => _options;

    /// <summary>Adds or replaces a function (<c>opensma functions add</c>).</summary>
    /// <exception cref="FunctionConfigurationException">The definition is invalid.</exception>
    public RegisteredFunction Add(FunctionDefinition definition) => Registry.Put(definition);

    public IReadOnlyList<RegisteredFunction> List() => Registry.List();

    /// <summary>Removes a function and stops its sandboxes (<c>opensma functions remove</c>).</summary>
    public async Task<bool> RemoveAsync(string nameOrArn)
    {
        if (!LambdaArn.TryParse(nameOrArn, out var arn) || !Registry.Remove(arn.FunctionName))
            return false;
        // $LATEST's pool and those of its published versions (NAME:1, NAME:2, ...).
        foreach (var key in _pools.Keys.Where(k => k == arn.FunctionName || k.StartsWith(arn.FunctionName + ":", StringComparison.Ordinal)).ToArray())
        {
            if (_pools.TryRemove(key, out var pool))
                await pool.DisposeAsync().ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>Recent log lines of a function (<c>opensma functions logs NAME</c>).</summary>
    public IReadOnlyList<FunctionLogEntry> ReadLogs(string name, int max = 200, string? transactionId = null) =>
        Logs.Read(name, max, transactionId);

    /// <summary>Log lines of a function as they come (<c>opensma functions logs NAME --follow</c>).</summary>
    public IAsyncEnumerable<FunctionLogEntry> FollowLogsAsync(string name, CancellationToken cancellationToken) =>
        Logs.FollowAsync(name, cancellationToken);

    /// <summary>Sandboxes alive for a function (warm, starting or busy).</summary>
    public int SandboxCount(string name) => _pools.TryGetValue(name, out var pool) ? pool.Count : 0;

    /// <summary>
    /// Runs one synchronous invocation. <paramref name="cancellationToken"/> means the caller stopped
    /// waiting: the result is then TimedOut, while the sandbox runs on to its own timeout as in Lambda.
    /// </summary>
    public Task<FunctionInvocationResult> InvokeAsync(
        string nameOrArn, ReadOnlyMemory<byte> payload, string? transactionId, CancellationToken cancellationToken) =>
        InvokeAsync(nameOrArn, qualifier: null, payload, transactionId, cancellationToken);

    /// <param name="qualifier">A version or alias given apart from the name (the Invoke API's <c>Qualifier</c>); one in the ARN wins.</param>
    public async Task<FunctionInvocationResult> InvokeAsync(
        string nameOrArn, string? qualifier, ReadOnlyMemory<byte> payload, string? transactionId, CancellationToken cancellationToken)
    {
        var requestId = Guid.NewGuid().ToString();
        if (!Registry.TryGet(nameOrArn, qualifier, out var function))
            return Failure(requestId, FunctionInvocationStatus.NotFound, "ResourceNotFoundException",
                $"Function not found: {nameOrArn}", []);
        // The runtime sees the ARN it was invoked by: with the alias when called through one, as in Lambda.
        var invokedArn = LambdaArn.TryParse(nameOrArn, out var parsed) && (parsed.Qualifier ?? qualifier) is { } q
            ? Registry.ArnFor(function.Name) + ":" + q
            : Registry.ArnFor(function.Name);
        var run = RunGuardedAsync(function, invokedArn, requestId, payload, transactionId);
        try
        {
            return await run.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Failure(requestId, FunctionInvocationStatus.TimedOut, "Sandbox.Timedout",
                "The caller stopped waiting for the function.", []);
        }
    }

    /// <summary>Whatever goes wrong starting a sandbox becomes a result: nothing throws into the engine.</summary>
    private async Task<FunctionInvocationResult> RunGuardedAsync(
        RegisteredFunction function, string invokedArn, string requestId, ReadOnlyMemory<byte> payload, string? transactionId)
    {
        try
        {
            return await RunAsync(function, invokedArn, requestId, payload, transactionId).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The function was removed while this invocation was starting.
            return Failure(requestId, FunctionInvocationStatus.NotFound, "ResourceNotFoundException",
                $"Function not found: {function.Arn}", []);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException
            or System.Net.Sockets.SocketException or System.ComponentModel.Win32Exception)
        {
            return Failure(requestId, FunctionInvocationStatus.RuntimeExited, "Runtime.Unavailable",
                $"RequestId: {requestId} Error: could not run the function: {e.Message}", []);
        }
    }

    private async Task<FunctionInvocationResult> RunAsync(
        RegisteredFunction function, string invokedArn, string requestId, ReadOnlyMemory<byte> payload, string? transactionId)
    {
        var codeHash = function.WatchCode && _options.HotReload
            ? CodeFingerprint.Quick(function.CodeRoot)
            : function.CodeSha256;
        var pool = _pools.GetOrAdd(function.PoolKey, _ => new FunctionPool(_options, _bootstrap, _timeProvider));
        var (sandbox, isNew) = pool.Acquire(function, codeHash);
        if (sandbox is null)
            return Failure(requestId, FunctionInvocationStatus.Throttled, "TooManyRequestsException",
                "Rate Exceeded.", []);

        var lines = new LogCollector(function.Name, requestId, transactionId, _timeProvider);
        try
        {
            CollectLateOutput(function.Name, sandbox);
            if (isNew)
            {
                var init = await pool.StartAsync(sandbox).ConfigureAwait(false);
                if (!init.Ready)
                {
                    lines.AddOutput(sandbox.Output.Drain());
                    var status = init.TimedOut ? FunctionInvocationStatus.TimedOut : FunctionInvocationStatus.InitError;
                    var (type, message, body) = ErrorDocument(init.ErrorBody, init.ErrorType, init.Detail, requestId);
                    lines.Platform($"INIT_REPORT Init Duration: {lines.ElapsedMs()} ms Phase: init Status: error Error Type: {type}");
                    return Finish(new FunctionInvocationResult(requestId, status, body, type, message, lines.Entries) { Version = function.Version });
                }
            }
            var timeout = TimeSpan.FromSeconds(function.Definition.Timeout);
            var deadline = _timeProvider.GetUtcNow() + timeout;
            lines.Platform($"START RequestId: {requestId} Version: {function.Version}");
            var invocation = new RuntimeInvocation(
                requestId, payload, deadline.ToUnixTimeMilliseconds(), invokedArn, NewTraceId(), ClientContext: null);
            var started = _timeProvider.GetTimestamp();
            var reply = await sandbox.InvokeAsync(invocation, timeout, WritesMarkers(function)).ConfigureAwait(false);
            var duration = _timeProvider.GetElapsedTime(started).TotalMilliseconds;
            lines.AddOutput(sandbox.Output.Drain());
            var result = reply.Kind switch
            {
                SandboxReplyKind.Response => new FunctionInvocationResult(
                    requestId, FunctionInvocationStatus.Succeeded, reply.Body, null, null, lines.Entries),
                _ => FailureFromReply(requestId, reply, lines),
            };
            if (reply.Kind == SandboxReplyKind.TimedOut)
                lines.Platform($"{_timeProvider.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ} {requestId} Task timed out after {timeout.TotalSeconds:0.00} seconds");
            lines.Platform($"END RequestId: {requestId}");
            lines.Platform(string.Create(CultureInfo.InvariantCulture,
                $"REPORT RequestId: {requestId}\tDuration: {duration:0.00} ms\tBilled Duration: {Math.Max(1, Math.Ceiling(duration)):0} ms\tMemory Size: {function.Definition.MemorySize} MB"));
            return Finish(result with { Logs = lines.Entries, Version = function.Version });
        }
        finally
        {
            sandbox.LastInvocation = (requestId, transactionId);
            pool.Release(sandbox);
        }
    }

    /// <summary>
    /// Lines a warm sandbox printed after its last reply (a timer the handler left running; a custom
    /// runtime, which writes no end marker, logging late) belong to that invocation: they go to the
    /// function's log under its request id and TransactionId, not into the next invocation's log.
    /// </summary>
    private void CollectLateOutput(string functionName, Sandbox sandbox)
    {
        if (sandbox.LastInvocation is not { } last)
            return;
        var late = sandbox.Output.Drain();
        if (late.Count == 0)
            return;
        var collector = new LogCollector(functionName, last.RequestId, last.TransactionId, _timeProvider);
        collector.AddOutput(late);
        Logs.Append(collector.Entries);
    }

    /// <summary>Output lines warm sandboxes of a function hold, not yet collected (for tests).</summary>
    internal int PendingOutputLines(string name) => _pools.TryGetValue(name, out var pool) ? pool.PendingOutputLines() : 0;

    private FunctionInvocationResult Finish(FunctionInvocationResult result)
    {
        Logs.Append(result.Logs);
        return result;
    }

    private bool WritesMarkers(RegisteredFunction function)
    {
        try
        {
            return RuntimeCatalog.CreateLaunch(function, _bootstrap.Value, _options).WritesLogMarkers;
        }
        catch (FunctionConfigurationException)
        {
            return false;
        }
    }

    private static FunctionInvocationResult FailureFromReply(string requestId, SandboxReply reply, LogCollector lines)
    {
        var status = reply.Kind switch
        {
            SandboxReplyKind.Error => FunctionInvocationStatus.FunctionError,
            SandboxReplyKind.TimedOut => FunctionInvocationStatus.TimedOut,
            _ => FunctionInvocationStatus.RuntimeExited,
        };
        var detail = reply.Detail is null ? null : $"RequestId: {requestId} Error: {reply.Detail}";
        if (reply.Kind == SandboxReplyKind.TimedOut)
            detail = $"{reply.Detail}";
        var (type, message, body) = ErrorDocument(reply.Body, reply.ErrorType, detail, requestId);
        return new FunctionInvocationResult(requestId, status, body, type, message, lines.Entries);
    }

    /// <summary>The error document Lambda returns: the runtime's own when it posted one, else ours.</summary>
    private static (string Type, string Message, byte[] Body) ErrorDocument(byte[] posted, string? headerType, string? detail, string requestId)
    {
        if (posted.Length > 0)
        {
            try
            {
                using var doc = JsonDocument.Parse(posted);
                var root = doc.RootElement;
                var type = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("errorType", out var t) ? t.GetString() : null;
                var message = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("errorMessage", out var m) ? m.GetString() : null;
                return (type ?? headerType ?? "Unhandled", message ?? "", posted);
            }
            catch (JsonException)
            {
                var text = Encoding.UTF8.GetString(posted);
                return (headerType ?? "Unhandled", text, Serialize(headerType ?? "Unhandled", text));
            }
        }
        var errorType = headerType ?? "Unhandled";
        var errorMessage = detail ?? $"RequestId: {requestId} Error: {errorType}";
        return (errorType, errorMessage, Serialize(errorType, errorMessage));
    }

    private static byte[] Serialize(string type, string message) =>
        JsonSerializer.SerializeToUtf8Bytes(new RuntimeApiError(message, type), RuntimeApiJsonContext.Default.RuntimeApiError);

    private static FunctionInvocationResult Failure(
        string requestId, FunctionInvocationStatus status, string type, string message, IReadOnlyList<FunctionLogEntry> logs) =>
        new(requestId, status, Serialize(type, message), type, message, logs);

    private string NewTraceId()
    {
        var seconds = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        Span<byte> random = stackalloc byte[20];
        RandomNumberGenerator.Fill(random);
        var hex = Convert.ToHexStringLower(random);
        return string.Create(CultureInfo.InvariantCulture, $"Root=1-{seconds:x8}-{hex[..24]};Parent={hex[24..]};Sampled=0");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var name in _pools.Keys.ToArray())
        {
            if (_pools.TryRemove(name, out var pool))
                await pool.DisposeAsync().ConfigureAwait(false);
        }
    }
}
