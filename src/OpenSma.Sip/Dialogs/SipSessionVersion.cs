namespace OpenSma.Sip.Dialogs;

/// <summary>
/// The one thing the dialog layer reads from a session description it otherwise treats as opaque:
/// the SDP origin line (RFC 4566 §5.2). Its session version changes whenever the description does
/// (RFC 3264 §8), so a body in a later reliable provisional response with the same origin repeats
/// the last description, and one with another origin is a new offer (RFC 3262 §5, RFC 6337 §3.1.1).
/// </summary>
internal static class SipSessionVersion
{
    /// <summary>The o= line of an SDP body (trimmed), or null when the body has none.</summary>
    public static string? OriginOf(ReadOnlySpan<byte> body)
    {
        var lineStart = 0;
        while (lineStart < body.Length)
        {
            var rest = body[lineStart..];
            var end = rest.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            if (line.Length >= 2 && line[0] == (byte)'o' && line[1] == (byte)'=')
            {
                return System.Text.Encoding.UTF8.GetString(line[2..]).Trim();
            }

            if (end < 0)
            {
                break;
            }

            lineStart += end + 1;
        }

        return null;
    }

    /// <summary>
    /// True when <paramref name="body"/> describes the same session version as <paramref name="previous"/>:
    /// the same o= line, or, without one, the same bytes.
    /// </summary>
    public static bool SameVersion(ReadOnlySpan<byte> body, ReadOnlySpan<byte> previous)
    {
        var origin = OriginOf(body);
        return origin is not null ? origin == OriginOf(previous) : body.SequenceEqual(previous);
    }

    /// <summary>
    /// True when <paramref name="body"/> is an older version of the session <paramref name="current"/>
    /// describes: the same o= username and session id with a lower session version.
    /// </summary>
    public static bool IsOlder(ReadOnlySpan<byte> body, ReadOnlySpan<byte> current) =>
        Parse(OriginOf(body)) is { } older && Parse(OriginOf(current)) is { } newer
        && older.Session == newer.Session && older.Version < newer.Version;

    // o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address>
    private static (string Session, ulong Version)? Parse(string? origin)
    {
        var fields = origin?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields is { Length: >= 3 } && ulong.TryParse(fields[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version)
            ? (fields[0] + " " + fields[1], version)
            : null;
    }
}
