using System.Globalization;

namespace OpenSma.ControlPlane.PhoneNumbers;

/// <summary>The configured pools as a searchable, ordered list of candidate numbers.</summary>
internal sealed class PhoneNumberPools(IReadOnlyList<PhoneNumberPool> pools)
{
    public IReadOnlyList<PhoneNumberPool> Pools { get; } = pools;

    public sealed record Criteria(string? Country, string? Type, string? AreaCode, string? TollFreePrefix, string? City, string? State);

    /// <summary>Every number of every pool that matches, in pool order.</summary>
    public IEnumerable<string> Search(Criteria criteria) =>
        Pools.Where(p => Matches(p, criteria)).SelectMany(Numbers);

    /// <summary>The pool a number comes from, or null if no pool holds it.</summary>
    public PhoneNumberPool? PoolOf(string e164)
    {
        foreach (var pool in Pools)
        {
            if (e164.Length == pool.Prefix.Length + pool.Digits
                && e164.StartsWith(pool.Prefix, StringComparison.Ordinal)
                && int.TryParse(e164.AsSpan(pool.Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var counter)
                && counter >= pool.First && counter < pool.First + pool.Count)
            {
                return pool;
            }
        }

        return null;
    }

    private static IEnumerable<string> Numbers(PhoneNumberPool pool)
    {
        var format = new string('0', pool.Digits);
        for (var i = 0; i < pool.Count; i++)
        {
            yield return pool.Prefix + (pool.First + i).ToString(format, CultureInfo.InvariantCulture);
        }
    }

    private static bool Matches(PhoneNumberPool pool, Criteria c) =>
        (c.Country is null || pool.Country == c.Country)
        && (c.Type is null || pool.Type == c.Type)
        && (c.AreaCode is null || (pool.Type == "Local" && pool.AreaCode == c.AreaCode))
        && (c.TollFreePrefix is null || (pool.Type == "TollFree" && pool.AreaCode == c.TollFreePrefix))
        && (c.City is null || string.Equals(pool.City, c.City, StringComparison.OrdinalIgnoreCase))
        && (c.State is null || string.Equals(pool.State, c.State, StringComparison.OrdinalIgnoreCase));
}
