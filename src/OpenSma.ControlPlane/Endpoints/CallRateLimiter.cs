namespace OpenSma.ControlPlane.Endpoints;

/// <summary>Fixed one-second windows per operation, on the injected clock (quota enforcement only).</summary>
internal sealed class CallRateLimiter(TimeProvider timeProvider)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long Second, int Count)> _windows = new(StringComparer.Ordinal);

    public bool TryAcquire(string operation, int perSecond)
    {
        var second = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        lock (_gate)
        {
            var window = _windows.TryGetValue(operation, out var current) && current.Second == second ? current : (second, 0);
            if (window.Item2 >= perSecond)
            {
                return false;
            }

            _windows[operation] = (second, window.Item2 + 1);
            return true;
        }
    }
}
