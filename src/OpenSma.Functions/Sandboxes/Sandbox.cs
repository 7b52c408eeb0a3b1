using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using OpenSma.Functions.Registry;
using OpenSma.Functions.RuntimeApi;
using OpenSma.Functions.Runtimes;

namespace OpenSma.Functions.Sandboxes;

/// <summary>
/// One execution environment: a runtime process and the Runtime API server it talks to. It
/// runs one invocation at a time; after a timeout or a crash it is dead and never reused.
/// </summary>
internal sealed class Sandbox : IRuntimeApiHandler, IAsyncDisposable
{
    private readonly Channel<RuntimeInvocation> _next = Channel.CreateBounded<RuntimeInvocation>(1);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<(byte[] Body, string? Type)> _initError = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private readonly TimeProvider _timeProvider;
    private (string RequestId, TaskCompletionSource<SandboxReply> Reply)? _current;
    private Process? _process;
    private RuntimeApiServer? _server;
    private Task _exited = Task.CompletedTask;
    private bool _dead;

    public Sandbox(RegisteredFunction function, string codeHash, TimeProvider timeProvider)
    {
        Function = function;
        CodeHash = codeHash;
        _timeProvider = timeProvider;
        Output = new SandboxOutput(timeProvider);
        LogStreamName = string.Create(CultureInfo.InvariantCulture,
            $"{timeProvider.GetUtcNow():yyyy/MM/dd}/[{function.Version}]{Guid.NewGuid():N}");
    }

    public RegisteredFunction Function { get; }

    /// <summary>The code directory's fingerprint when this sandbox started.</summary>
    public string CodeHash { get; }

    public SandboxOutput Output { get; }

    /// <summary>The last invocation this sandbox served (request id, SMA TransactionId): lines it prints afterwards are its.</summary>
    public (string RequestId, string? TransactionId)? LastInvocation { get; set; }

    public string LogStreamName { get; }

    public bool IsDead => _dead || _exited.IsCompleted;

    public int? ProcessId => _process?.Id;

    /// <summary>Starts the Runtime API and the runtime process, and waits for the first <c>/next</c> (init done).</summary>
    public async Task<SandboxInit> StartAsync(RuntimeLaunch launch, Func<string, IReadOnlyDictionary<string, string>> environment, TimeSpan initTimeout)
    {
        _server = await RuntimeApiServer.StartAsync(this, CancellationToken.None).ConfigureAwait(false);
        var start = new ProcessStartInfo(launch.FileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Function.CodeRoot,
        };
        foreach (var argument in launch.Arguments)
            start.ArgumentList.Add(argument);
        start.Environment.Clear();
        foreach (var (key, value) in environment(_server.Address))
            start.Environment[key] = value;
        using var cancelDelay = new CancellationTokenSource();
        var timeout = Task.Delay(initTimeout, _timeProvider, cancelDelay.Token);
        try
        {
            _process = Process.Start(start) ?? throw new Win32Exception("process did not start");
        }
        catch (Win32Exception e)
        {
            _dead = true;
            return new SandboxInit(false, false, [], "Runtime.InvalidEntrypoint",
                $"Couldn't start the runtime '{launch.FileName}': {e.Message}");
        }
        _process.StandardInput.Close();
        Output.Start(_process.StandardOutput, _process.StandardError);
        _exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(_ready.Task, _initError.Task, _exited, timeout).ConfigureAwait(false);
        await cancelDelay.CancelAsync().ConfigureAwait(false);
        if (first == _ready.Task)
            return SandboxInit.Success;
        _dead = true;
        if (first == _initError.Task)
        {
            var (body, type) = await _initError.Task.ConfigureAwait(false);
            Kill();
            await WaitForOutputAsync().ConfigureAwait(false);
            return new SandboxInit(false, false, body, type ?? "Runtime.Unknown", null);
        }
        if (first == _exited)
        {
            await WaitForOutputAsync().ConfigureAwait(false);
            return new SandboxInit(false, false, [], "Runtime.ExitError",
                $"Runtime exited with error: {ExitDescription()}");
        }
        Kill();
        await WaitForOutputAsync().ConfigureAwait(false);
        return new SandboxInit(false, true, [], "Sandbox.Timedout",
            $"Init phase timed out after {initTimeout.TotalSeconds:0.00} seconds");
    }

    /// <summary>Delivers one event and waits for the runtime's answer, the function timeout, or the process's end.</summary>
    public async Task<SandboxReply> InvokeAsync(RuntimeInvocation invocation, TimeSpan timeout, bool waitForLogMarkers)
    {
        var reply = new TaskCompletionSource<SandboxReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
            _current = (invocation.RequestId, reply);
        if (waitForLogMarkers)
            Output.Expect(invocation.RequestId);
        // The timer starts before the event is handed over, so no clock tick can fall between the two.
        using var cancelDelay = new CancellationTokenSource();
        var timer = Task.Delay(timeout, _timeProvider, cancelDelay.Token);
        if (!_next.Writer.TryWrite(invocation))
            return new SandboxReply(SandboxReplyKind.Exited, [], "Runtime.ExitError", "the sandbox is closed");
        var first = await Task.WhenAny(reply.Task, _exited, timer).ConfigureAwait(false);
        await cancelDelay.CancelAsync().ConfigureAwait(false);
        if (first == reply.Task)
        {
            if (waitForLogMarkers)
                await Output.MarkersAsync().ConfigureAwait(false);
            return await reply.Task.ConfigureAwait(false);
        }
        _dead = true;
        lock (_lock)
            _current = null;
        if (first == _exited)
        {
            await WaitForOutputAsync().ConfigureAwait(false);
            return new SandboxReply(SandboxReplyKind.Exited, [], "Runtime.ExitError",
                $"Runtime exited with error: {ExitDescription()}");
        }
        Kill();
        await WaitForOutputAsync().ConfigureAwait(false);
        return new SandboxReply(SandboxReplyKind.TimedOut, [], "Sandbox.Timedout",
            $"Task timed out after {timeout.TotalSeconds:0.00} seconds");
    }

    async ValueTask<RuntimeInvocation?> IRuntimeApiHandler.NextAsync(CancellationToken cancellationToken)
    {
        _ready.TrySetResult();
        try
        {
            return await _next.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    RuntimeApiAnswer IRuntimeApiHandler.Respond(string requestId, byte[] body) =>
        Complete(requestId, new SandboxReply(SandboxReplyKind.Response, body, null));

    RuntimeApiAnswer IRuntimeApiHandler.ReportError(string requestId, byte[] body, string? errorType) =>
        Complete(requestId, new SandboxReply(SandboxReplyKind.Error, body, errorType));

    RuntimeApiAnswer IRuntimeApiHandler.ReportInitError(byte[] body, string? errorType)
    {
        if (_ready.Task.IsCompleted)
            return RuntimeApiAnswer.InvalidState("Init error reported after the runtime asked for its first event.");
        _initError.TrySetResult((body, errorType));
        return RuntimeApiAnswer.Accepted;
    }

    private RuntimeApiAnswer Complete(string requestId, SandboxReply reply)
    {
        TaskCompletionSource<SandboxReply> waiting;
        lock (_lock)
        {
            if (_current is not { } current || current.RequestId != requestId)
                return RuntimeApiAnswer.InvalidRequestId(requestId);
            waiting = current.Reply;
            _current = null;
        }
        waiting.TrySetResult(reply);
        return RuntimeApiAnswer.Accepted;
    }

    private string ExitDescription()
    {
        if (_process is not { HasExited: true } p)
            return "unknown";
        // Process reports a signal death as 128 + signal number.
        return p.ExitCode > 128 && p.ExitCode < 160
            ? $"signal: {SignalName(p.ExitCode - 128)}"
            : $"exit status {p.ExitCode.ToString(CultureInfo.InvariantCulture)}";
    }

    private static string SignalName(int signal) => signal switch
    {
        6 => "aborted",
        9 => "killed",
        11 => "segmentation fault",
        15 => "terminated",
        _ => "signal " + signal.ToString(CultureInfo.InvariantCulture),
    };

    private Task<Task> WaitForOutputAsync() =>
        // EOF follows the process's exit at once unless a child the handler spawned holds the
        // pipes open; that is an OS matter, so it is bounded on the real clock, not the logic clock.
        Task.WhenAny(Output.Closed, Task.Delay(TimeSpan.FromMilliseconds(500), TimeProvider.System));

    private void Kill()
    {
        try
        {
            if (_process is { HasExited: false })
                _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (Win32Exception)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _dead = true;
        _next.Writer.TryComplete();
        Kill();
        if (_server is not null)
            await _server.DisposeAsync().ConfigureAwait(false);
        _process?.Dispose();
    }
}
