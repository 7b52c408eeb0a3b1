using OpenSma.Functions.Hosting;
using OpenSma.Functions.Registry;
using OpenSma.Functions.RuntimeApi;
using OpenSma.Functions.Runtimes;

namespace OpenSma.Functions.Sandboxes;

/// <summary>
/// The sandboxes of one function: warm ones are reused (most recently used first), new ones
/// start while fewer than the function's concurrency limit exist, and beyond it an invocation
/// is throttled, as Lambda does. Sandboxes of older code or configuration are recycled.
/// </summary>
internal sealed class FunctionPool : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Stack<Sandbox> _idle = new();
    private readonly HashSet<Sandbox> _all = [];
    private readonly FunctionsOptions _options;
    private readonly Lazy<BootstrapFiles> _bootstrap;
    private readonly TimeProvider _timeProvider;
    private long _latestRevision;
    private string _latestCodeHash = "";
    private bool _disposed;

    public FunctionPool(FunctionsOptions options, Lazy<BootstrapFiles> bootstrap, TimeProvider timeProvider)
    {
        _options = options;
        _bootstrap = bootstrap;
        _timeProvider = timeProvider;
    }

    /// <summary>Sandboxes alive (idle, starting or busy).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
                return _all.Count;
        }
    }

    public int IdleCount
    {
        get
        {
            lock (_lock)
                return _idle.Count;
        }
    }

    /// <summary>Takes a warm sandbox of the current code, or reserves a slot for a new one.</summary>
    /// <returns>The sandbox (new ones not yet started), or null when throttled.</returns>
    public (Sandbox? Sandbox, bool IsNew) Acquire(RegisteredFunction function, string codeHash)
    {
        var stale = new List<Sandbox>();
        (Sandbox?, bool) taken = (null, false);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _latestRevision = function.Revision;
            _latestCodeHash = codeHash;
            var keep = new List<Sandbox>();
            while (_idle.TryPop(out var idle))
            {
                if (IsCurrent(idle))
                    keep.Add(idle);
                else
                {
                    stale.Add(idle);
                    _all.Remove(idle);
                }
            }
            for (var i = keep.Count - 1; i >= 0; i--)
                _idle.Push(keep[i]);

            var limit = function.Definition.ReservedConcurrency ?? _options.DefaultConcurrency;
            if (_idle.TryPop(out var warm))
                taken = (warm, false);
            else if (_all.Count < limit)
            {
                var fresh = new Sandbox(function, codeHash, _timeProvider);
                _all.Add(fresh);
                taken = (fresh, true);
            }
        }
        foreach (var s in stale)
            _ = s.DisposeAsync().AsTask();
        return taken;
    }

    public Task<SandboxInit> StartAsync(Sandbox sandbox)
    {
        var function = sandbox.Function;
        var files = _bootstrap.Value;
        RuntimeLaunch launch;
        try
        {
            launch = RuntimeCatalog.CreateLaunch(function, files, _options);
        }
        catch (FunctionConfigurationException e)
        {
            return Task.FromResult(new SandboxInit(false, false, [], "Runtime.InvalidRuntime", e.Message));
        }
        return sandbox.StartAsync(
            launch,
            address => LambdaEnvironment.Build(function, _options, address, files.Directory, sandbox.LogStreamName),
            _options.InitTimeout);
    }

    /// <summary>Returns a sandbox after an invocation: kept warm if alive and current, else closed.</summary>
    public void Release(Sandbox sandbox)
    {
        bool close;
        lock (_lock)
        {
            close = _disposed || sandbox.IsDead || !IsCurrent(sandbox);
            if (close)
                _all.Remove(sandbox);
            else
                _idle.Push(sandbox);
        }
        if (close)
            _ = sandbox.DisposeAsync().AsTask();
    }

    /// <summary>Lines idle sandboxes printed after their last reply, not yet collected.</summary>
    public int PendingOutputLines()
    {
        lock (_lock)
            return _idle.Sum(s => s.Output.PendingCount);
    }

    private bool IsCurrent(Sandbox s) =>
        !s.IsDead && s.Function.Revision == _latestRevision && s.CodeHash == _latestCodeHash;

    public async ValueTask DisposeAsync()
    {
        Sandbox[] all;
        lock (_lock)
        {
            _disposed = true;
            all = [.. _all];
            _all.Clear();
            _idle.Clear();
        }
        foreach (var s in all)
            await s.DisposeAsync().ConfigureAwait(false);
    }
}
