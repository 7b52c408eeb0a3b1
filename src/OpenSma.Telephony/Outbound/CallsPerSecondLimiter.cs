namespace OpenSma.Telephony.Outbound;

/// <summary>A voice connector's CpsLimit: at most N call attempts in any one-second window, per trunk, on <see cref="TimeProvider"/> time.</summary>
internal sealed class CallsPerSecondLimiter(TimeProvider time)
{
    private readonly Dictionary<string, Queue<long>> _recent = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public bool TryAcquire(string trunk, int limit)
    {
        if (limit <= 0)
        {
            return true;
        }

        lock (_gate)
        {
            if (!_recent.TryGetValue(trunk, out var attempts))
            {
                attempts = new Queue<long>();
                _recent[trunk] = attempts;
            }

            var now = time.GetTimestamp();
            while (attempts.Count > 0 && time.GetElapsedTime(attempts.Peek(), now) >= TimeSpan.FromSeconds(1))
            {
                attempts.Dequeue();
            }

            if (attempts.Count >= limit)
            {
                return false;
            }

            attempts.Enqueue(now);
            return true;
        }
    }
}
