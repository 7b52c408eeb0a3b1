using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Proxy;

/// <summary>
/// Picks a participant's proxy number. A number can serve many sessions at once, but a
/// participant may use it in only one open session: the pair (participant, proxy number) is
/// what identifies the session when that participant calls.
/// </summary>
internal static class ProxyNumberSelector
{
    /// <param name="candidates">Eligible numbers in preference order (geo matches first).</param>
    /// <param name="sessions">Every session of the connector, open or closed, with closure already settled.</param>
    /// <returns>The number, or null when every candidate is already in use by this participant.</returns>
    public static string? Choose(
        string participant,
        string otherParticipant,
        IReadOnlyList<string> candidates,
        IReadOnlyList<ProxySession> sessions,
        string numberSelectionBehavior)
    {
        var busy = new HashSet<string>(StringComparer.Ordinal);
        var load = new Dictionary<string, int>(StringComparer.Ordinal);
        var history = new HashSet<string>(StringComparer.Ordinal);
        foreach (var session in sessions)
        {
            var open = session.Status != ProxySessionStatus.Closed;
            var pairedBefore = session.Participants.Any(p => p.PhoneNumber == otherParticipant);
            foreach (var p in session.Participants)
            {
                if (open)
                {
                    load[p.ProxyPhoneNumber] = load.GetValueOrDefault(p.ProxyPhoneNumber) + 1;
                }

                if (p.PhoneNumber != participant)
                {
                    continue;
                }

                if (open)
                {
                    busy.Add(p.ProxyPhoneNumber);
                }

                if (pairedBefore)
                {
                    history.Add(p.ProxyPhoneNumber);
                }
            }
        }

        // A participant's own number (or the other party's) can never be their proxy number.
        var free = candidates.Where(c => !busy.Contains(c) && c != participant && c != otherParticipant).ToList();
        if (free.Count == 0)
        {
            return null;
        }

        var sticky = numberSelectionBehavior != "AvoidSticky";
        var preferred = free.Where(c => history.Contains(c) == sticky).ToList();
        var pool = preferred.Count > 0 ? preferred : free;

        // Least-loaded first spreads sessions over the pool; the stable sort keeps candidate order as the tie-break.
        return pool.OrderBy(c => load.GetValueOrDefault(c)).First();
    }
}

internal static class ProxySessionStatus
{
    public const string Open = "Open";
    public const string InProgress = "InProgress";
    public const string Closed = "Closed";

    public static readonly string[] All = [Open, InProgress, Closed];
}
