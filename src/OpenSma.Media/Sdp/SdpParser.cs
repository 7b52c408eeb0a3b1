using System.Globalization;

namespace OpenSma.Media.Sdp;

/// <summary>Outcome of parsing SDP: exactly one of the two is set.</summary>
public sealed record SdpParseResult(SessionDescription? Description, string? Error);

/// <summary>
/// Parses SDP (RFC 8866) leniently where peers are sloppy (bare LF line ends, trailing blank
/// lines, unknown line types and attributes are kept) and strictly where meaning depends on it
/// (v=0 first, a well-formed o= line and m= lines). Returns an error value, never throws.
/// </summary>
public static class SdpParser
{
    public const int MaxLength = 64 * 1024;

    public static SdpParseResult Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
        {
            return Fail($"SDP is {text.Length} characters; the limit is {MaxLength}");
        }

        var lines = text.Split('\n');
        SdpOrigin? origin = null;
        string? sessionName = null;
        SdpConnection? connection = null;
        var timing = "0 0";
        var attributes = new List<SdpAttribute>();
        var other = new List<SdpLine>();
        var media = new List<MediaBuilder>();
        var sawVersion = false;

        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            var number = i + 1;
            if (line.Length < 2 || line[1] != '=' || !char.IsAsciiLetterLower(line[0]))
            {
                return Fail($"line {number} is not <type>=<value>: '{Shorten(line)}'");
            }

            var type = line[0];
            var value = line[2..];
            if (!sawVersion)
            {
                if (type != 'v' || value.Trim() != "0")
                {
                    return Fail("SDP must start with v=0");
                }

                sawVersion = true;
                continue;
            }

            var current = media.Count > 0 ? media[^1] : null;
            switch (type)
            {
                case 'o':
                    if (!TryParseOrigin(value, out origin))
                    {
                        return Fail($"line {number}: malformed o= line '{Shorten(value)}'");
                    }

                    break;
                case 's':
                    sessionName = value;
                    break;
                case 't':
                    timing = value;
                    break;
                case 'c':
                    if (!TryParseConnection(value, out var parsed))
                    {
                        return Fail($"line {number}: malformed c= line '{Shorten(value)}'");
                    }

                    if (current is null)
                    {
                        connection = parsed;
                    }
                    else
                    {
                        current.Connection = parsed;
                    }

                    break;
                case 'm':
                    if (!TryParseMedia(value, out var builder))
                    {
                        return Fail($"line {number}: malformed m= line '{Shorten(value)}'");
                    }

                    media.Add(builder);
                    break;
                case 'a':
                    var colon = value.IndexOf(':', StringComparison.Ordinal);
                    var attribute = colon < 0 ? new SdpAttribute(value.Trim()) : new SdpAttribute(value[..colon].Trim(), value[(colon + 1)..].Trim());
                    (current?.Attributes ?? attributes).Add(attribute);
                    break;
                case 'v':
                    return Fail($"line {number}: v= may appear only once");
                default:
                    (current?.OtherLines ?? other).Add(new SdpLine(type, value));
                    break;
            }
        }

        if (!sawVersion)
        {
            return Fail("SDP is empty");
        }

        if (origin is null)
        {
            return Fail("SDP has no o= line");
        }

        var description = new SessionDescription(origin, sessionName ?? "-", connection, attributes, [.. media.Select(m => m.Build())], other)
        {
            Timing = timing,
        };
        return new SdpParseResult(description, null);
    }

    private static SdpParseResult Fail(string error) => new(null, error);

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "...";

    private static bool TryParseOrigin(string value, out SdpOrigin? origin)
    {
        origin = null;
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 6 || parts[3] != "IN"
            || !ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || !ulong.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return false;
        }

        origin = new SdpOrigin(parts[0], id, version, parts[4], parts[5]);
        return true;
    }

    private static bool TryParseConnection(string value, out SdpConnection? connection)
    {
        connection = null;
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || parts[0] != "IN" || parts[1] is not ("IP4" or "IP6"))
        {
            return false;
        }

        var slash = parts[2].IndexOf('/', StringComparison.Ordinal);
        connection = new SdpConnection(parts[1], slash < 0 ? parts[2] : parts[2][..slash]);
        return true;
    }

    private static bool TryParseMedia(string value, out MediaBuilder builder)
    {
        builder = null!;
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 3)
        {
            return false;
        }

        var portText = parts[1];
        int? count = null;
        var slash = portText.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            if (!int.TryParse(portText.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var c))
            {
                return false;
            }

            count = c;
            portText = portText[..slash];
        }

        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            return false;
        }

        builder = new MediaBuilder(parts[0], port, count, parts[2], parts[3..]);
        return true;
    }

    private sealed class MediaBuilder(string media, int port, int? count, string protocol, string[] formats)
    {
        public SdpConnection? Connection { get; set; }

        public List<SdpAttribute> Attributes { get; } = [];

        public List<SdpLine> OtherLines { get; } = [];

        public MediaDescription Build() => new(media, port, protocol, formats, Connection, Attributes, OtherLines) { PortCount = count };
    }
}
