using OpenSma.Engine.Transactions;

namespace OpenSma.Engine.Actions;

/// <summary>
/// Buffers a leg's digits for an action that reads them one by one with timeouts. Runs on the
/// transaction mailbox, like everything an executor touches, so it needs no locks.
/// </summary>
internal sealed class DigitCollector : IDigitSink
{
    private readonly Queue<char> _digits = new();
    private TaskCompletionSource<bool>? _waiter;

    /// <summary>Called for the first digit after <see cref="Clear"/> (barge-in).</summary>
    public Action? FirstDigit { get; set; }

    public int Count => _digits.Count;

    public void OnDigit(char digit)
    {
        _digits.Enqueue(digit);
        if (_digits.Count == 1)
        {
            FirstDigit?.Invoke();
        }

        _waiter?.TrySetResult(true);
    }

    public void Clear() => _digits.Clear();

    /// <summary>The next digit, or null when none comes within <paramref name="timeout"/>.</summary>
    public async Task<char?> NextAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (_digits.TryDequeue(out var ready))
        {
            return ready;
        }

        _waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            if (!await Runtime.MailboxWait.ResultOrFalseAsync(_waiter, timeout, time, cancellationToken))
            {
                return null;
            }
        }
        finally
        {
            _waiter = null;
        }

        return _digits.TryDequeue(out var digit) ? digit : null;
    }
}
