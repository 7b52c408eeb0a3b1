using System.Collections;
using OpenSma.Sip.Parsing;

namespace OpenSma.Sip.Messages;

/// <summary>
/// The header fields of a message in wire order. Names are matched case-insensitively after
/// compact-form expansion, so <c>v</c> and <c>Via</c> are the same header.
/// </summary>
public sealed class SipHeaders : IEnumerable<SipHeader>
{
    private readonly List<SipHeader> _items = [];

    public int Count => _items.Count;

    /// <summary>
    /// Drops the spare slots the list grew with while the message was parsed or built: for a
    /// message a dialog keeps for the call's life (its INVITE). Changes nothing a reader sees.
    /// </summary>
    internal void TrimExcess() => _items.TrimExcess();

    /// <summary>Changes with every edit, so a message can keep parsed views of its headers until they change.</summary>
    internal int Version { get; private set; }

    public SipHeaders Add(string name, string value)
    {
        _items.Add(new SipHeader(SipHeaderNames.Normalize(name), value));
        Version++;
        return this;
    }

    /// <summary>Adds a header field above all others of any name (used for a new top Via).</summary>
    public SipHeaders AddFirst(string name, string value)
    {
        _items.Insert(0, new SipHeader(SipHeaderNames.Normalize(name), value));
        Version++;
        return this;
    }

    /// <summary>Replaces every field of this name with one field holding <paramref name="value"/>.</summary>
    public SipHeaders Set(string name, string value)
    {
        name = SipHeaderNames.Normalize(name);
        var at = IndexOf(name);
        Remove(name);
        if (at < 0 || at > _items.Count)
        {
            _items.Add(new SipHeader(name, value));
        }
        else
        {
            _items.Insert(at, new SipHeader(name, value));
        }

        Version++;
        return this;
    }

    /// <summary>Replaces the first field of this name in place; false when there is none.</summary>
    public bool ReplaceFirst(string name, string value)
    {
        name = SipHeaderNames.Normalize(name);
        var i = IndexOf(name);
        if (i < 0)
        {
            return false;
        }

        _items[i] = new SipHeader(name, value);
        Version++;
        return true;
    }

    /// <summary>Removes the first list element of a comma-separated header (a proxy or UAC popping its Via or Route).</summary>
    public bool RemoveFirstValue(string name)
    {
        name = SipHeaderNames.Normalize(name);
        var i = IndexOf(name);
        if (i < 0)
        {
            return false;
        }

        Version++;
        var values = new List<string>();
        if (!SipGrammar.TrySplitList(_items[i].Value, values) || values.Count <= 1)
        {
            _items.RemoveAt(i);
            return true;
        }

        _items[i] = new SipHeader(name, string.Join(", ", values.Skip(1)));
        return true;
    }

    public int Remove(string name)
    {
        name = SipHeaderNames.Normalize(name);
        Version++;
        return _items.RemoveAll(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase));
    }

    public bool Contains(string name) => IndexOf(SipHeaderNames.Normalize(name)) >= 0;

    /// <summary>The first field of this name, or null.</summary>
    public string? Get(string name)
    {
        var i = IndexOf(SipHeaderNames.Normalize(name));
        return i < 0 ? null : _items[i].Value;
    }

    /// <summary>Number of fields with this name (not list elements).</summary>
    public int CountOf(string name)
    {
        name = SipHeaderNames.Normalize(name);
        var n = 0;
        foreach (var h in _items)
        {
            if (string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>Every field value of this name, in order.</summary>
    public IEnumerable<string> GetFields(string name)
    {
        name = SipHeaderNames.Normalize(name);
        foreach (var h in _items)
        {
            if (string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                yield return h.Value;
            }
        }
    }

    /// <summary>
    /// The list elements of a comma-separated header across all its fields (Via, Contact, Route, ...).
    /// Returns null when a field is malformed (unbalanced quotes or an empty element).
    /// </summary>
    public List<string>? GetValues(string name)
    {
        name = SipHeaderNames.Normalize(name);
        var values = new List<string>();
        foreach (var h in _items)
        {
            if (string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase) && !SipGrammar.TrySplitList(h.Value, values))
            {
                return null;
            }
        }

        return values;
    }

    public SipHeaders Clone()
    {
        var copy = new SipHeaders();
        copy._items.AddRange(_items);
        return copy;
    }

    public IEnumerator<SipHeader> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string normalizedName)
    {
        for (var i = 0; i < _items.Count; i++)
        {
            if (string.Equals(_items[i].Name, normalizedName, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
