using Microsoft.Extensions.Hosting;

namespace OpenSma.Host.Numbers;

/// <summary>
/// Reads the inventory again every <see cref="Interval"/>: writes made by another server sharing
/// the same PostgreSQL database never pass through this process's store, and a refresh that failed
/// after a local write is retried here.
/// </summary>
internal sealed class OwnedNumbersRefresher(OwnedNumbers numbers, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
                await numbers.RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
