using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Endpoints;

/// <summary>
/// The call APIs' request-rate quotas (quota enforcement only): fixed one-second windows of the
/// injected clock per operation, account and Region, counted in the store
/// (<see cref="IResourceStore.CountInWindowAsync"/>), so every server sharing a PostgreSQL database
/// counts into the same window. The windows of servers whose clocks disagree by part of a second
/// overlap accordingly.
/// </summary>
internal sealed class CallRateLimiter(IResourceStore store, TimeProvider timeProvider)
{
    /// <summary>Counts this request; whether it is within <paramref name="perSecond"/> for its window.</summary>
    public async Task<bool> TryAcquireAsync(string operation, SipMediaApplication sma, int perSecond, CancellationToken cancellationToken)
    {
        var second = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var count = await store.CountInWindowAsync($"opensma/rate/{operation}/{sma.AwsAccountId}/{sma.AwsRegion}", second, cancellationToken).ConfigureAwait(false);
        return count <= perSecond;
    }
}
