using System.Globalization;
using System.Net;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Parsing;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip.Core;

/// <summary>Server-side Via handling: received/rport stamping (RFC 3261 §18.2.1, RFC 3581) and where responses go (§18.2.2).</summary>
internal static class SipResponseRouting
{
    /// <summary>Records the real source in the top Via: received= when it differs from sent-by, rport= when asked for.</summary>
    public static void StampTopVia(SipRequest request, IPEndPoint source)
    {
        // The common case, a sent-by that is the real source and no rport to fill, changes nothing.
        var address = source.Address.IsIPv4MappedToIPv6 ? source.Address.MapToIPv4() : source.Address;
        if (request.SharedTopVia is not { } shared
            || (!(shared.HasRPort && shared.RPort is null) && IPAddress.TryParse(shared.Host.Trim('[', ']'), out var sentByAddress) && sentByAddress.Equals(address)))
        {
            return;
        }

        if (request.Headers.Get(SipHeaderNames.Via) is not { } firstField)
        {
            return;
        }

        var elements = new List<string>();
        if (!SipGrammar.TrySplitList(firstField, elements) || elements.Count == 0 || !SipVia.TryParse(elements[0], out var via))
        {
            return;
        }

        if (via.HasRPort && via.RPort is null)
        {
            via.Parameters.Set("rport", source.Port.ToString(CultureInfo.InvariantCulture));
            via.Parameters.Set("received", address.ToString());
        }
        else if (!IPAddress.TryParse(via.Host.Trim('[', ']'), out var sentBy) || !sentBy.Equals(address))
        {
            via.Parameters.Set("received", address.ToString());
        }
        else
        {
            return;
        }

        // Only the top element changes; the rest of the field and the other Via fields stay as sent.
        elements[0] = via.ToString();
        request.Headers.ReplaceFirst(SipHeaderNames.Via, string.Join(", ", elements));
    }

    /// <summary>
    /// Stream transports answer on the connection the request came on. UDP answers the source
    /// address, at the rport when the client asked for it, else at the sent-by port.
    /// </summary>
    public static SipRemote ResponseTarget(SipRequest request, SipRemote source)
    {
        if (source.Transport.IsReliable)
        {
            return source;
        }

        var via = request.SharedTopVia;
        if (via is null || via.HasRPort)
        {
            return source;
        }

        return new SipRemote(source.Transport, new IPEndPoint(source.EndPoint.Address, via.Port ?? 5060));
    }
}
