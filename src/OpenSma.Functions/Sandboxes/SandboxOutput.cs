using OpenSma.Functions.Logs;

namespace OpenSma.Functions.Sandboxes;

/// <summary>
/// Reads a runtime process's stdout and stderr line by line and holds the lines until the
/// sandbox hands them to an invocation. Our bootstraps end each invocation with a marker line on
/// both streams; waiting for both markers guarantees the invocation's logs are complete.
/// </summary>
internal sealed class SandboxOutput
{
    internal const string Marker = "\u001eOPENSMA-END ";

    private readonly Lock _lock = new();
    private readonly List<(DateTimeOffset At, FunctionLogStream Stream, string Text)> _lines = [];
    private readonly TimeProvider _timeProvider;
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _expected;
    private TaskCompletionSource? _stdoutMarker;
    private TaskCompletionSource? _stderrMarker;

    public SandboxOutput(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
    }

    /// <summary>Completes when both streams reached end of file (the process is gone).</summary>
    public Task Closed => Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task);

    public void Start(StreamReader stdout, StreamReader stderr)
    {
        _ = PumpAsync(stdout, FunctionLogStream.Stdout, _stdoutClosed);
        _ = PumpAsync(stderr, FunctionLogStream.Stderr, _stderrClosed);
    }

    /// <summary>Arms the wait for the end markers of one invocation; call before delivering it.</summary>
    public void Expect(string requestId)
    {
        lock (_lock)
        {
            _expected = requestId;
            _stdoutMarker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _stderrMarker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Both markers of the armed invocation were read, or the streams closed.</summary>
    public Task MarkersAsync()
    {
        lock (_lock)
        {
            var markers = Task.WhenAll(_stdoutMarker?.Task ?? Task.CompletedTask, _stderrMarker?.Task ?? Task.CompletedTask);
            return Task.WhenAny(markers, Closed);
        }
    }

    /// <summary>Lines read and not yet taken.</summary>
    public int PendingCount
    {
        get
        {
            lock (_lock)
                return _lines.Count;
        }
    }

    /// <summary>Takes every line read so far.</summary>
    public List<(DateTimeOffset At, FunctionLogStream Stream, string Text)> Drain()
    {
        lock (_lock)
        {
            var taken = new List<(DateTimeOffset, FunctionLogStream, string)>(_lines);
            _lines.Clear();
            return taken;
        }
    }

    private async Task PumpAsync(StreamReader reader, FunctionLogStream stream, TaskCompletionSource closed)
    {
        try
        {
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
                Accept(stream, line);
        }
        catch (IOException)
        {
            // The pipe broke with the process; what was read is kept.
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            closed.TrySetResult();
            lock (_lock)
            {
                (stream == FunctionLogStream.Stdout ? _stdoutMarker : _stderrMarker)?.TrySetResult();
            }
        }
    }

    private void Accept(FunctionLogStream stream, string line)
    {
        lock (_lock)
        {
            if (line.StartsWith(Marker, StringComparison.Ordinal))
            {
                if (line.AsSpan(Marker.Length).SequenceEqual(_expected))
                    (stream == FunctionLogStream.Stdout ? _stdoutMarker : _stderrMarker)?.TrySetResult();
                return;
            }
            // Lambda's Node console turns newlines inside one message into carriage returns.
            _lines.Add((_timeProvider.GetUtcNow(), stream, line.Replace('\r', '\n')));
        }
    }
}
