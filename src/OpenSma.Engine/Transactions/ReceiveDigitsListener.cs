using System.Text;
using System.Text.RegularExpressions;
using OpenSma.Engine.Contracts;

namespace OpenSma.Engine.Transactions;

/// <summary>
/// The background DTMF detector ReceiveDigits arms on a leg (spec §5.5, §7.6): the flush window
/// opens on the first digit; after an inter-digit gap the buffer is tested against the regex and a
/// match is reported as DIGITS_RECEIVED; the buffer is cleared after a match and when the flush
/// window closes. Timers post back to the transaction's mailbox.
/// </summary>
internal sealed class ReceiveDigitsListener : IDisposable
{
    private readonly CallTransaction _transaction;
    private readonly LegSlot _slot;
    private readonly Regex _regex;
    private readonly TimeSpan _inBetween;
    private readonly TimeSpan _flush;
    private readonly ActionData _echo;
    private readonly StringBuilder _buffer = new();
    private ITimer? _gapTimer;
    private ITimer? _flushTimer;
    private long _generation;
    private bool _disposed;

    public ReceiveDigitsListener(CallTransaction transaction, LegSlot slot, Regex regex, TimeSpan inBetween, TimeSpan flush, ActionData echo)
    {
        _transaction = transaction;
        _slot = slot;
        _regex = regex;
        _inBetween = inBetween;
        _flush = flush;
        _echo = echo;
    }

    public void OnDigit(char digit)
    {
        if (_disposed || !Actions.Validation.IsDigitKey(digit))
        {
            return;
        }

        var time = _transaction.Services.Time;
        if (_buffer.Length == 0)
        {
            _flushTimer?.Dispose();
            _flushTimer = Schedule(time, _flush, Flush);
        }

        _buffer.Append(digit);
        _gapTimer?.Dispose();
        _gapTimer = Schedule(time, _inBetween, Test);
    }

    private ITimer Schedule(TimeProvider time, TimeSpan due, Action action)
    {
        var generation = _generation;
        return time.CreateTimer(
            _ => _transaction.Post(() =>
            {
                if (!_disposed && generation == _generation)
                {
                    action();
                }
            }),
            null,
            due,
            Timeout.InfiniteTimeSpan);
    }

    private void Test()
    {
        var digits = _buffer.ToString();
        if (digits.Length == 0 || !Actions.Validation.IsMatch(_regex, digits))
        {
            return;
        }

        Reset();
        _transaction.ReportDigitsReceived(_slot, _echo with { Results = [new("ReceivedDigits", digits)] });
    }

    private void Flush() => Reset();

    private void Reset()
    {
        _buffer.Clear();
        _generation++;
        _gapTimer?.Dispose();
        _flushTimer?.Dispose();
        _gapTimer = null;
        _flushTimer = null;
    }

    public void Dispose()
    {
        _disposed = true;
        Reset();
    }
}
