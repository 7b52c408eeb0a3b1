using System.Globalization;

namespace OpenSma.Functions.Logs;

/// <summary>Builds the tagged log of one invocation: platform lines and what the runtime wrote.</summary>
internal sealed class LogCollector
{
    private readonly List<FunctionLogEntry> _entries = [];
    private readonly string _functionName;
    private readonly string _requestId;
    private readonly string? _transactionId;
    private readonly TimeProvider _timeProvider;
    private readonly long _started;

    public LogCollector(string functionName, string requestId, string? transactionId, TimeProvider timeProvider)
    {
        _functionName = functionName;
        _requestId = requestId;
        _transactionId = transactionId;
        _timeProvider = timeProvider;
        _started = timeProvider.GetTimestamp();
    }

    public IReadOnlyList<FunctionLogEntry> Entries => [.. _entries];

    public string ElapsedMs() =>
        _timeProvider.GetElapsedTime(_started).TotalMilliseconds.ToString("0.00", CultureInfo.InvariantCulture);

    public void Platform(string text) =>
        _entries.Add(new FunctionLogEntry(_timeProvider.GetUtcNow(), _functionName, _requestId, _transactionId, FunctionLogStream.Platform, text));

    public void AddOutput(IEnumerable<(DateTimeOffset At, FunctionLogStream Stream, string Text)> lines)
    {
        foreach (var (at, stream, text) in lines)
            _entries.Add(new FunctionLogEntry(at, _functionName, _requestId, _transactionId, stream, text));
    }
}
