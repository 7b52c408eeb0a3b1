using System.Globalization;

namespace OpenSma.Functions.Logs;

public enum FunctionLogStream
{
    /// <summary>Lines OpenSMA writes itself, as Lambda does (START, END, REPORT, timeouts).</summary>
    Platform,
    Stdout,
    Stderr,
}

/// <summary>One line a function wrote, tagged with the invocation and the SMA transaction it served.</summary>
public sealed record FunctionLogEntry(
    DateTimeOffset Timestamp,
    string FunctionName,
    string RequestId,
    string? TransactionId,
    FunctionLogStream Stream,
    string Text)
{
    /// <summary>The form handed to the engine in <c>InvocationResult.Logs</c> and printed by the CLI.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Timestamp:yyyy-MM-ddTHH:mm:ss.fffZ} {FunctionName} RequestId={RequestId} TransactionId={TransactionId ?? "-"} {Stream.ToString().ToLowerInvariant()}: {Text}");
}
