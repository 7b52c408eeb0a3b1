using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Dialogs;

/// <summary>
/// What a REFER asks us to do (RFC 3515), read from its Refer-To and Referred-By: the URI to
/// call, the dialog the new call replaces for an attended transfer (RFC 3891, carried as a
/// header embedded in the Refer-To URI), other embedded headers, and who referred (RFC 3892).
/// </summary>
public sealed record SipReferTarget
{
    /// <summary>Embedded headers a UA must not take from a URI (RFC 3261 §19.1.5): they belong to the new request itself.</summary>
    private static readonly HashSet<string> Unsafe = new(StringComparer.OrdinalIgnoreCase)
    {
        SipHeaderNames.From, SipHeaderNames.To, SipHeaderNames.CallId, SipHeaderNames.CSeq, SipHeaderNames.Via,
        SipHeaderNames.RecordRoute, SipHeaderNames.Route, SipHeaderNames.Accept, "Accept-Encoding", "Accept-Language",
        SipHeaderNames.Allow, SipHeaderNames.Contact, "Organization", SipHeaderNames.Supported, SipHeaderNames.UserAgent,
        SipHeaderNames.MaxForwards, SipHeaderNames.ContentLength, SipHeaderNames.ContentType, "body",
    };

    /// <summary>The URI to call, without its embedded headers.</summary>
    public required SipUri Target { get; init; }

    /// <summary>For an attended transfer: the dialog the new call replaces at the target.</summary>
    public SipReplaces? Replaces { get; init; }

    /// <summary>The Referred-By of the REFER, to be copied into the new INVITE (RFC 3892).</summary>
    public SipNameAddress? ReferredBy { get; init; }

    /// <summary>Other headers embedded in the Refer-To URI that the new INVITE should carry.</summary>
    public IReadOnlyList<SipHeader> Headers { get; init; } = [];

    /// <summary>Reads a REFER; false when it has no single, parseable Refer-To.</summary>
    public static bool TryFrom(SipRequest refer, out SipReferTarget target)
    {
        ArgumentNullException.ThrowIfNull(refer);
        target = null!;
        if (refer.Headers.GetValues(SipHeaderNames.ReferTo) is not [var referTo]
            || !SipNameAddress.TryParse(referTo, out var address))
        {
            return false;
        }

        SipReplaces? replaces = null;
        var headers = new List<SipHeader>();
        foreach (var h in address.Uri.Headers)
        {
            var name = SipHeaderNames.Normalize(h.Name);
            if (name == SipHeaderNames.Replaces)
            {
                if (!SipReplaces.TryParse(h.Value, out var parsed))
                {
                    return false;
                }

                replaces = parsed;
            }
            else if (!Unsafe.Contains(name) && h.Value is { } value)
            {
                headers.Add(new SipHeader(name, value));
            }
        }

        var referredBy = refer.Headers.Get(SipHeaderNames.ReferredBy) is { } by && SipNameAddress.TryParse(by, out var who) ? who : null;
        target = new SipReferTarget
        {
            Target = address.Uri.With(WithoutHeaders),
            Replaces = replaces,
            ReferredBy = referredBy,
            Headers = headers,
        };
        return true;
    }

    private static void WithoutHeaders(SipUri uri)
    {
        foreach (var name in uri.Headers.Select(h => h.Name).ToList())
        {
            uri.Headers.Remove(name);
        }
    }

    /// <summary>
    /// Options for the INVITE the REFER asks for: the target, Replaces and Referred-By when given,
    /// and the other embedded headers. Body, From and credentials are the application's.
    /// </summary>
    public SipInviteOptions ToInviteOptions(SipNameAddress? from = null, ReadOnlyMemory<byte> body = default, string? contentType = null)
    {
        var headers = new List<SipHeader>(Headers);
        if (Replaces is { } replaces)
        {
            headers.Add(new SipHeader(SipHeaderNames.Replaces, replaces.ToString()));
        }

        if (ReferredBy is { } referredBy)
        {
            headers.Add(new SipHeader(SipHeaderNames.ReferredBy, referredBy.ToString()));
        }

        return new SipInviteOptions { Target = Target, From = from, Body = body, ContentType = contentType, Headers = headers };
    }
}
