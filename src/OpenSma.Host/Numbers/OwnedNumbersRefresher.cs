using Microsoft.Extensions.Hosting;
using OpenSma.Storage.Resources;

namespace OpenSma.Host.Numbers;

/// <summary>
/// Reads the inventory again when the store signals a phone-number write that did not pass through
/// serve's <see cref="NumberWatchingStore"/> (with PostgreSQL, another server's write arrives through
/// LISTEN/NOTIFY), checked every <see cref="CheckInterval"/>, and in any case every
/// <see cref="Interval"/>: a notification can be lost while the listening connection is down, and a
/// refresh that failed after a local write is retried here.
/// </summary>
internal sealed class OwnedNumbersRefresher(OwnedNumbers numbers, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private long _checks;

    /// <summary>Checks made so far (tests wait on it).</summary>
    public long Checks => Interlocked.Read(ref _checks);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => RunAsync(stoppingToken);

    /// <summary>The refresh loop; its first wait is registered before this returns.</summary>
    internal async Task RunAsync(CancellationToken stoppingToken)
    {
        var signal = numbers.Store as IResourceChangeSignal;
        var seen = signal?.ChangeVersion(PhoneNumber.Kind) ?? 0;
        var refreshed = time.GetTimestamp();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(signal is null ? Interval : CheckInterval, time, stoppingToken).ConfigureAwait(false);
                var version = signal?.ChangeVersion(PhoneNumber.Kind) ?? 0;
                if (version != seen || time.GetElapsedTime(refreshed) >= Interval)
                {
                    // Recorded before the read: a write that lands during it is read by the next check.
                    seen = version;
                    refreshed = time.GetTimestamp();
                    await numbers.RefreshAsync(stoppingToken).ConfigureAwait(false);
                }

                Interlocked.Increment(ref _checks);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
