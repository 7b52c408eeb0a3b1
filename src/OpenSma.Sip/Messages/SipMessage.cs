using System.Globalization;
using OpenSma.Sip.Parsing;

namespace OpenSma.Sip.Messages;

/// <summary>What requests and responses share: headers, an opaque body and typed views of the core headers.</summary>
public abstract class SipMessage
{
    public SipHeaders Headers { get; init; } = new();

    /// <summary>The body as opaque bytes; its meaning is given by <see cref="ContentType"/>.</summary>
    public ReadOnlyMemory<byte> Body { get; set; }

    private Views? _views;

    /// <summary>
    /// Parsed views of the core headers, valid while the headers are the same object at the same
    /// version; each view is parsed on first use. One object per message for all five views (a
    /// parsed message lives as long as its dialog): a view is written before its bit is set, so a
    /// reader that sees the bit sees the value; two threads parsing the same view at once store
    /// equal values.
    /// </summary>
    private sealed class Views(SipHeaders owner, int version)
    {
        public const int CallIdBit = 1;
        public const int CSeqBit = 2;
        public const int TopViaBit = 4;
        public const int FromTagBit = 8;
        public const int ToTagBit = 16;

        public readonly SipHeaders Owner = owner;
        public readonly int Version = version;
        public string? CallId;
        public SipCSeq? CSeq;
        public SipVia? TopVia;
        public string? FromTag;
        public string? ToTag;
        private int _parsed;

        public T Get<T>(ref T slot, int bit, SipMessage message, Func<SipMessage, T> parse)
        {
            if ((Volatile.Read(ref _parsed) & bit) != 0)
            {
                return slot;
            }

            var value = parse(message);
            slot = value;
            Interlocked.Or(ref _parsed, bit);
            return value;
        }
    }

    private Views CurrentViews()
    {
        var headers = Headers;
        var views = _views;
        if (views is null || !ReferenceEquals(views.Owner, headers) || views.Version != headers.Version)
        {
            views = new Views(headers, headers.Version);
            _views = views;
        }

        return views;
    }

    public string? CallId
    {
        get
        {
            var v = CurrentViews();
            return v.Get(ref v.CallId, Views.CallIdBit, this, static m => m.Headers.Get(SipHeaderNames.CallId)?.Trim());
        }
    }

    /// <summary>The top Via as the stack reads it on hot paths: shared, so callers must not change it (use <see cref="TopVia"/> for a copy).</summary>
    internal SipVia? SharedTopVia
    {
        get
        {
            var v = CurrentViews();
            return v.Get(ref v.TopVia, Views.TopViaBit, this, static m => m.TopVia);
        }
    }

    /// <summary>The From tag, parsed once per header version.</summary>
    internal string? FromTag
    {
        get
        {
            var v = CurrentViews();
            return v.Get(ref v.FromTag, Views.FromTagBit, this, static m => m.From?.Tag);
        }
    }

    /// <summary>The To tag, parsed once per header version.</summary>
    internal string? ToTag
    {
        get
        {
            var v = CurrentViews();
            return v.Get(ref v.ToTag, Views.ToTagBit, this, static m => m.To?.Tag);
        }
    }

    public string? ContentType => Headers.Get(SipHeaderNames.ContentType)?.Trim();

    public SipCSeq? CSeq
    {
        get
        {
            var v = CurrentViews();
            return v.Get(ref v.CSeq, Views.CSeqBit, this, static m => m.Headers.Get(SipHeaderNames.CSeq) is { } h && SipCSeq.TryParse(h, out var c) ? c : null);
        }
    }

    public SipNameAddress? From => ParseNameAddress(SipHeaderNames.From);

    public SipNameAddress? To => ParseNameAddress(SipHeaderNames.To);

    /// <summary>The Via values top first; empty when absent or malformed.</summary>
    public IReadOnlyList<SipVia> Vias => ParseList(SipHeaderNames.Via, static (string s, out SipVia v) => SipVia.TryParse(s, out v));

    public SipVia? TopVia => Headers.GetValues(SipHeaderNames.Via) is [var first, ..] && SipVia.TryParse(first, out var via) ? via : null;

    public IReadOnlyList<SipNameAddress> Contacts => ParseNameAddresses(SipHeaderNames.Contact);

    public IReadOnlyList<SipNameAddress> RecordRoutes => ParseNameAddresses(SipHeaderNames.RecordRoute);

    public IReadOnlyList<SipNameAddress> Routes => ParseNameAddresses(SipHeaderNames.Route);

    public int? MaxForwards => ParseInt(SipHeaderNames.MaxForwards, 255);

    public int? Expires => ParseInt(SipHeaderNames.Expires, uint.MaxValue) is { } e ? e : null;

    /// <summary>Option tags listed in a header such as Supported or Require.</summary>
    public IReadOnlyList<string> OptionTags(string headerName) => Headers.GetValues(headerName) ?? [];

    public bool HasOptionTag(string headerName, string tag)
    {
        foreach (var t in OptionTags(headerName))
        {
            if (string.Equals(t, tag, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private int? ParseInt(string name, long max) =>
        Headers.Get(name) is { } v && SipGrammar.TryParseBoundedInt(SipGrammar.Trim(v), max, out var n) && n <= int.MaxValue ? (int)n : null;

    private SipNameAddress? ParseNameAddress(string name) =>
        Headers.Get(name) is { } v && SipNameAddress.TryParse(v, out var a) ? a : null;

    private List<SipNameAddress> ParseNameAddresses(string name) =>
        ParseList(name, static (string s, out SipNameAddress v) => SipNameAddress.TryParse(s, out v));

    private delegate bool TryParser<T>(string text, out T value);

    private List<T> ParseList<T>(string name, TryParser<T> parse)
    {
        var values = Headers.GetValues(name);
        if (values is null)
        {
            return [];
        }

        var result = new List<T>(values.Count);
        foreach (var v in values)
        {
            if (parse(v, out var parsed))
            {
                result.Add(parsed);
            }
        }

        return result;
    }

    internal static string FormatInt(long value) => value.ToString(CultureInfo.InvariantCulture);
}
