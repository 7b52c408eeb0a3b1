using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using OpenSma.Storage.Resources;

namespace OpenSma.Host.Numbers;

/// <summary>
/// The numbers in the account's inventory, held in memory for the engine's synchronous
/// <c>EngineOptions.IsOwnedNumber</c> (CallAndBridge caller ID): a number counts once its order
/// has completed (Unassigned or Assigned) and until it is deleted (DeleteInProgress or gone).
/// Numbers still being acquired are not yet the account's.
/// <para>
/// Each refresh reads the whole inventory and publishes it only if no refresh that started
/// later has published already, so after a write and the refresh it triggers, the set shows
/// that write (or a newer state), whatever order concurrent refreshes finish in.
/// </para>
/// </summary>
internal sealed partial class OwnedNumbers(IResourceStore store, ILogger<OwnedNumbers>? logger = null)
{
    private readonly Lock _gate = new();
    private FrozenSet<string> _numbers = FrozenSet<string>.Empty;
    private long _started;
    private long _published;

    /// <summary>The store the inventory is read from (the one under serve's <see cref="NumberWatchingStore"/>).</summary>
    public IResourceStore Store => store;

    public int Count => _numbers.Count;

    public bool Contains(string number) => _numbers.Contains(number);

    /// <summary>
    /// Reads the inventory again. A store that cannot be read leaves the previous set in place (and
    /// is logged): the write that triggered the refresh has already landed and must not be reported
    /// as failed; the periodic refresh (<see cref="OwnedNumbersRefresher"/>) catches up.
    /// </summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        var generation = Interlocked.Increment(ref _started);
        IReadOnlyList<Stored<PhoneNumber>> all;
        try
        {
            all = await store.ListAllAsync<PhoneNumber>(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (logger is not null)
            {
                Log.RefreshFailed(logger, ex);
            }

            return false;
        }

        var owned = all.Select(n => n.Value).Where(IsOwned).Select(n => n.E164PhoneNumber).ToFrozenSet(StringComparer.Ordinal);
        lock (_gate)
        {
            if (generation > _published)
            {
                _published = generation;
                _numbers = owned;
            }
        }

        return true;
    }

    internal static bool IsOwned(PhoneNumber number) =>
        number.DeletionTimestamp is null && number.Status is "Unassigned" or "Assigned";

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the phone-number inventory; caller-ID ownership keeps the previous list")]
        public static partial void RefreshFailed(ILogger logger, Exception exception);
    }
}
