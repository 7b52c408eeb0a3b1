using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Proxy;

/// <summary>
/// The proxy sessions of voice connectors: closes sessions whose expiry has passed (lazily,
/// against the injected clock, so no timers are needed and a restart loses nothing) and
/// serialises creations so two sessions can never be handed the same (participant, proxy number) pair.
/// With a PostgreSQL store the serialisation holds across every server sharing the database
/// (an advisory lock per voice connector); otherwise it holds within this process, which owns
/// its SQLite file.
/// </summary>
internal sealed class ProxySessionLedger(IResourceStore store, TimeProvider timeProvider, PostgresAdvisoryLock? sharedLock = null) : IDisposable
{
    private readonly SemaphoreSlim _allocation = new(1, 1);

    /// <summary>Every session of one connector, with expired ones closed first.</summary>
    public async Task<IReadOnlyList<Stored<ProxySession>>> SettledAsync(string voiceConnectorId, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var all = await store.ListAllAsync<ProxySession>(cancellationToken).ConfigureAwait(false);
        var result = new List<Stored<ProxySession>>();
        foreach (var stored in all.Where(s => s.Value.VoiceConnectorId == voiceConnectorId))
        {
            if (IsExpired(stored.Value, now))
            {
                var closed = await store.MutateAsync<ProxySession>(
                    stored.Value.Id,
                    s => IsExpired(s, now) ? Close(s, s.ExpiresAt!.Value) : null,
                    cancellationToken).ConfigureAwait(false);
                if (closed.IsOk)
                {
                    result.Add(stored with { Value = closed.Value! });
                }

                continue;
            }

            result.Add(stored);
        }

        return result;
    }

    /// <summary>Runs <paramref name="allocate"/> alone among the allocations on the same voice connector,
    /// so its read of the open sessions stays true until it has inserted. If the shared lock turns
    /// out to have been lost meanwhile, <paramref name="undo"/> takes the allocation back.</summary>
    public async Task<T> AllocateAsync<T>(string voiceConnectorId, Func<Task<T>> allocate, Func<T, Task> undo, CancellationToken cancellationToken)
    {
        if (sharedLock is not null)
        {
            return await sharedLock.RunAsync("opensma/proxy-sessions/" + voiceConnectorId, allocate, undo, cancellationToken).ConfigureAwait(false);
        }

        await _allocation.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await allocate().ConfigureAwait(false);
        }
        finally
        {
            _allocation.Release();
        }
    }

    public void Dispose()
    {
        sharedLock?.Dispose();
        _allocation.Dispose();
    }

    public static bool IsExpired(ProxySession session, DateTimeOffset now) =>
        session.Status != ProxySessionStatus.Closed && session.ExpiresAt is { } expires && expires <= now;

    public static ProxySession Close(ProxySession session, DateTimeOffset at) =>
        session with { Status = ProxySessionStatus.Closed, EndedTimestamp = at, UpdatedTimestamp = at };
}
