namespace OpenSma.Engine.Runtime;

/// <summary>
/// Runs calls on virtual time: waits until the engine has nothing left to do at the current
/// instant, then moves the clock one media frame (20 ms), until a condition holds. Tests and
/// <c>opensma call --fast</c> use it; a 30-minute call takes as long as its work, not 30 minutes.
/// </summary>
public sealed class VirtualTimeDriver(ActivityTracker activity, Action<TimeSpan> advance)
{
    public static readonly TimeSpan Step = TimeSpan.FromMilliseconds(20);

    /// <summary>Real time allowed for the engine to go idle at one instant before the run is declared stuck.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan Elapsed { get; private set; }

    /// <summary>Advances until <paramref name="done"/> is true or <paramref name="limit"/> of virtual time has passed.</summary>
    /// <returns>True when <paramref name="done"/> became true.</returns>
    public async Task<bool> RunUntilAsync(Func<bool> done, TimeSpan limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(done);
        var end = Elapsed + limit;
        while (true)
        {
            await WaitIdleAsync(cancellationToken).ConfigureAwait(false);
            if (done())
            {
                return true;
            }

            if (Elapsed >= end)
            {
                return false;
            }

            advance(Step);
            Elapsed += Step;
        }
    }

    /// <summary>Moves virtual time forward by <paramref name="duration"/>, letting the engine work at each step.</summary>
    public Task RunForAsync(TimeSpan duration, CancellationToken cancellationToken = default) =>
        RunUntilAsync(static () => false, duration, cancellationToken);

    private async Task WaitIdleAsync(CancellationToken cancellationToken)
    {
        // Twice: work finishing can post follow-up work from a completion on another thread.
        for (var round = 0; round < 2; round++)
        {
            var idle = activity.WhenIdleAsync();
            if (!idle.IsCompleted)
            {
                try
                {
                    await idle.WaitAsync(IdleTimeout, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    throw new InvalidOperationException($"The engine did not go idle within {IdleTimeout} of real time at virtual time {Elapsed}.");
                }
            }

            await Task.Yield();
        }
    }
}
