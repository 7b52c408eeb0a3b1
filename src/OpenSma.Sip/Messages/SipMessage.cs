using System.Globalization;
using OpenSma.Sip.Parsing;

namespace OpenSma.Sip.Messages;

/// <summary>What requests and responses share: headers, an opaque body and typed views of the core headers.</summary>
public abstract class SipMessage
{
    public SipHeaders Headers { get; init; } = new();

    /// <summary>The body as opaque bytes; its meaning is given by <see cref="ContentType"/>.</summary>
    public ReadOnlyMemory<byte> Body { get; set; }

    private Cached<string?>? _callId;
    private Cached<SipCSeq?>? _cseq;
    private Cached<SipVia?>? _topVia;
    private Cached<string?>? _fromTag;
    private Cached<string?>? _toTag;

    /// <summary>A parsed view of the headers, valid while they are the same object at the same version.</summary>
    private sealed record Cached<T>(SipHeaders Owner, int Version, T Value);

    private T Cache<T>(ref Cached<T>? slot, Func<SipMessage, T> parse)
    {
        var headers = Headers;
        var entry = slot;
        if (entry is null || !ReferenceEquals(entry.Owner, headers) || entry.Version != headers.Version)
        {
            // One reference write publishes owner, version and value together.
            entry = new Cached<T>(headers, headers.Version, parse(this));
            slot = entry;
        }

        return entry.Value;
    }

    public string? CallId => Cache(ref _callId, static m => m.Headers.Get(SipHeaderNames.CallId)?.Trim());

    /// <summary>The top Via as the stack reads it on hot paths: shared, so callers must not change it (use <see cref="TopVia"/> for a copy).</summary>
    internal SipVia? SharedTopVia => Cache(ref _topVia, static m => m.TopVia);

    /// <summary>The From tag, parsed once per header version.</summary>
    internal string? FromTag => Cache(ref _fromTag, static m => m.From?.Tag);

    /// <summary>The To tag, parsed once per header version.</summary>
    internal string? ToTag => Cache(ref _toTag, static m => m.To?.Tag);

    public string? ContentType => Headers.Get(SipHeaderNames.ContentType)?.Trim();

    public SipCSeq? CSeq => Cache(ref _cseq, static m => m.Headers.Get(SipHeaderNames.CSeq) is { } v && SipCSeq.TryParse(v, out var c) ? c : null);

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
