using System.Collections;
using System.Text;
using OpenSma.Sip.Parsing;

namespace OpenSma.Sip.Messages;

/// <summary>An ordered parameter list with case-insensitive names (RFC 3261 §7.3.1).</summary>
public sealed class SipParameters : IEnumerable<SipParameter>
{
    // Exactly as long as the parameters, made on the first Add: most URIs carry no URI headers and
    // many no parameters, every parsed SIP message holds several URIs and name-addresses, and a
    // live call keeps some of them (its INVITE, parties, route set, target) for its whole life, so
    // no list object and no spare slots. Parameters are few (one to three), so each Add copies.
    private SipParameter[]? _items;

    public int Count => _items?.Length ?? 0;

    /// <summary>The parameter at <paramref name="index"/>, in order (indexed loops allocate no enumerator).</summary>
    internal SipParameter this[int index] => _items is { } items ? items[index] : throw new ArgumentOutOfRangeException(nameof(index));

    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>The value of a parameter; empty for a flag, null when absent.</summary>
    public string? Get(string name)
    {
        var i = IndexOf(name);
        return i < 0 ? null : _items![i].Value ?? string.Empty;
    }

    public SipParameters Set(string name, string? value)
    {
        var i = IndexOf(name);
        if (i < 0)
        {
            Add(name, value);
        }
        else
        {
            _items![i] = new SipParameter(name, value);
        }

        return this;
    }

    public bool Remove(string name)
    {
        var i = IndexOf(name);
        if (i < 0)
        {
            return false;
        }

        var items = _items!;
        if (items.Length == 1)
        {
            _items = null;
            return true;
        }

        var fewer = new SipParameter[items.Length - 1];
        Array.Copy(items, 0, fewer, 0, i);
        Array.Copy(items, i + 1, fewer, i, items.Length - i - 1);
        _items = fewer;
        return true;
    }

    public SipParameters Clone()
    {
        var copy = new SipParameters();
        if (_items is { } items)
        {
            copy._items = (SipParameter[])items.Clone();
        }

        return copy;
    }

    public IEnumerator<SipParameter> GetEnumerator() => ((IEnumerable<SipParameter>)(_items ?? [])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal void Add(string name, string? value)
    {
        var items = _items;
        if (items is null)
        {
            _items = [new SipParameter(name, value)];
            return;
        }

        var more = new SipParameter[items.Length + 1];
        items.CopyTo(more, 0);
        more[^1] = new SipParameter(name, value);
        _items = more;
    }

    private int IndexOf(string name)
    {
        var items = _items;
        if (items is null)
        {
            return -1;
        }

        for (var i = 0; i < items.Length; i++)
        {
            if (string.Equals(items[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Writes header parameters (<c>;name=value</c>), quoting values that are not tokens.</summary>
    internal void WriteHeaderParameters(StringBuilder sb)
    {
        if (_items is null)
        {
            return;
        }

        foreach (var p in _items)
        {
            sb.Append(';').Append(p.Name);
            if (p.Value is null)
            {
                continue;
            }

            sb.Append('=');
            sb.Append(NeedsQuotes(p.Value) ? SipGrammar.Quote(p.Value) : p.Value);
        }
    }

    private static bool NeedsQuotes(string value)
    {
        if (value.Length == 0)
        {
            return true;
        }

        foreach (var c in value)
        {
            // Hosts (received=), IPv6 references and tokens travel unquoted.
            if (!SipGrammar.IsTokenChar(c) && c is not ':' and not '[' and not ']')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Parses header parameters from <paramref name="s"/> starting at a ';' (LWS allowed around ';' and '=').
    /// Returns false on an empty name or a malformed value.
    /// </summary>
    internal static bool TryParseHeaderParameters(ReadOnlySpan<char> s, ref int pos, SipParameters into)
    {
        while (true)
        {
            SipGrammar.SkipWhitespace(s, ref pos);
            if (pos >= s.Length)
            {
                return true;
            }

            if (s[pos] != ';')
            {
                return false;
            }

            pos++;
            SipGrammar.SkipWhitespace(s, ref pos);
            var nameStart = pos;
            while (pos < s.Length && SipGrammar.IsTokenChar(s[pos]))
            {
                pos++;
            }

            if (pos == nameStart)
            {
                return false;
            }

            var name = SipCommonTokens.Get(s[nameStart..pos]);
            SipGrammar.SkipWhitespace(s, ref pos);
            if (pos >= s.Length || s[pos] != '=')
            {
                into.Add(name, null);
                continue;
            }

            pos++;
            SipGrammar.SkipWhitespace(s, ref pos);
            if (pos < s.Length && s[pos] == '"')
            {
                if (!SipGrammar.TryReadQuoted(s, ref pos, out var quoted))
                {
                    return false;
                }

                into.Add(name, quoted);
                continue;
            }

            var valueStart = pos;
            while (pos < s.Length && (SipGrammar.IsTokenChar(s[pos]) || s[pos] is ':' or '[' or ']'))
            {
                pos++;
            }

            if (pos == valueStart)
            {
                return false;
            }

            into.Add(name, SipCommonTokens.Get(s[valueStart..pos]));
        }
    }
}
