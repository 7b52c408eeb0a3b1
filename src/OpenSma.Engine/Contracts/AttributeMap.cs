using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace OpenSma.Engine.Contracts;

/// <summary>
/// A read-only string map kept as one exact-size array of pairs in insertion order: what a call
/// holds for its TransactionAttributes between replies (spec §8). A Dictionary of two pairs is
/// about 210 bytes with its entries and buckets; this is 80. Lookups are linear, which is fine for
/// at most 100 pairs (the engine itself only enumerates the map, to write events).
/// </summary>
internal sealed class AttributeMap : IReadOnlyDictionary<string, string>
{
    private readonly KeyValuePair<string, string>[] _pairs;

    /// <summary>Copies <paramref name="source"/> in its enumeration order (a Dictionary's is insertion order).</summary>
    public AttributeMap(IReadOnlyCollection<KeyValuePair<string, string>> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        _pairs = new KeyValuePair<string, string>[source.Count];
        var i = 0;
        foreach (var pair in source)
        {
            _pairs[i++] = pair;
        }
    }

    /// <summary>The pairs in order, for writers that must not box an enumerator.</summary>
    public ReadOnlySpan<KeyValuePair<string, string>> Pairs => _pairs;

    public int Count => _pairs.Length;

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The attribute '{key}' is not present.");

    public IEnumerable<string> Keys => _pairs.Select(p => p.Key);

    public IEnumerable<string> Values => _pairs.Select(p => p.Value);

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        var index = IndexOf(key);
        if (index < 0)
        {
            value = null;
            return false;
        }

        value = _pairs[index].Value;
        return true;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)_pairs).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        for (var i = 0; i < _pairs.Length; i++)
        {
            if (string.Equals(_pairs[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
