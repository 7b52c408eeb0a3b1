using System.Text;

namespace OpenSma.Media.Sdp;

/// <summary>An SDP session description (RFC 8866), immutable; serialized with CRLF line ends in the RFC's order.</summary>
public sealed record SessionDescription(
    SdpOrigin Origin,
    string SessionName,
    SdpConnection? Connection,
    IReadOnlyList<SdpAttribute> Attributes,
    IReadOnlyList<MediaDescription> Media,
    IReadOnlyList<SdpLine> OtherLines)
{
    public string Timing { get; init; } = "0 0";

    /// <summary>Session-level direction attribute, if any.</summary>
    public MediaDirection? Direction =>
        Attributes.Any(a => a.Name.Equals("sendonly", StringComparison.OrdinalIgnoreCase)) ? MediaDirection.SendOnly
        : Attributes.Any(a => a.Name.Equals("recvonly", StringComparison.OrdinalIgnoreCase)) ? MediaDirection.RecvOnly
        : Attributes.Any(a => a.Name.Equals("inactive", StringComparison.OrdinalIgnoreCase)) ? MediaDirection.Inactive
        : Attributes.Any(a => a.Name.Equals("sendrecv", StringComparison.OrdinalIgnoreCase)) ? MediaDirection.SendRecv
        : null;

    public override string ToString()
    {
        var sdp = new StringBuilder();
        void Line(char type, string value) => sdp.Append(type).Append('=').Append(value).Append("\r\n");

        Line('v', "0");
        Line('o', Origin.ToString());
        Line('s', SessionName.Length == 0 ? "-" : SessionName);
        foreach (var other in OtherLines.Where(l => l.Type is 'i' or 'u' or 'e' or 'p'))
        {
            Line(other.Type, other.Value);
        }

        if (Connection is not null)
        {
            Line('c', Connection.ToString());
        }

        foreach (var other in OtherLines.Where(l => l.Type == 'b'))
        {
            Line('b', other.Value);
        }

        Line('t', Timing);
        foreach (var other in OtherLines.Where(l => l.Type is 'r' or 'z' or 'k'))
        {
            Line(other.Type, other.Value);
        }

        foreach (var attribute in Attributes)
        {
            Line('a', attribute.ToString());
        }

        foreach (var media in Media)
        {
            var port = media.PortCount is { } count ? $"{media.Port}/{count}" : media.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Line('m', $"{media.Media} {port} {media.Protocol} {string.Join(' ', media.Formats)}");
            foreach (var other in media.OtherLines.Where(l => l.Type == 'i'))
            {
                Line('i', other.Value);
            }

            if (media.Connection is not null)
            {
                Line('c', media.Connection.ToString());
            }

            foreach (var other in media.OtherLines.Where(l => l.Type is 'b' or 'k'))
            {
                Line(other.Type, other.Value);
            }

            foreach (var attribute in media.Attributes)
            {
                Line('a', attribute.ToString());
            }
        }

        return sdp.ToString();
    }
}
