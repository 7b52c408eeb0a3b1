namespace OpenSma.Media.Sdp;

/// <summary>An m= section with its own lines.</summary>
public sealed record MediaDescription(
    string Media,
    int Port,
    string Protocol,
    IReadOnlyList<string> Formats,
    SdpConnection? Connection,
    IReadOnlyList<SdpAttribute> Attributes,
    IReadOnlyList<SdpLine> OtherLines)
{
    public int? PortCount { get; init; }

    public bool IsRejected => Port == 0;

    public string? Attribute(string name) =>
        Attributes.FirstOrDefault(a => a.Name.Equals(name, StringComparison.OrdinalIgnoreCase))?.Value;

    public bool HasAttribute(string name) =>
        Attributes.Any(a => a.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The direction attribute, or null when the section has none (the session level then applies).</summary>
    public MediaDirection? Direction =>
        HasAttribute("sendonly") ? MediaDirection.SendOnly
        : HasAttribute("recvonly") ? MediaDirection.RecvOnly
        : HasAttribute("inactive") ? MediaDirection.Inactive
        : HasAttribute("sendrecv") ? MediaDirection.SendRecv
        : null;

    /// <summary>rtpmap entries by payload type: encoding name, clock rate, channels.</summary>
    public IReadOnlyDictionary<int, RtpMap> RtpMaps()
    {
        var maps = new Dictionary<int, RtpMap>();
        foreach (var attribute in Attributes)
        {
            if (attribute.Name.Equals("rtpmap", StringComparison.OrdinalIgnoreCase) && RtpMap.TryParse(attribute.Value, out var payloadType, out var map))
            {
                maps.TryAdd(payloadType, map);
            }
        }

        return maps;
    }
}

/// <summary>a=rtpmap:&lt;pt&gt; &lt;encoding&gt;/&lt;clock&gt;[/&lt;channels&gt;].</summary>
public sealed record RtpMap(string Encoding, int ClockRate, int Channels = 1)
{
    public static bool TryParse(string? value, out int payloadType, out RtpMap map)
    {
        payloadType = -1;
        map = null!;
        if (value is null)
        {
            return false;
        }

        var space = value.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || !int.TryParse(value.AsSpan(0, space), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out payloadType) || payloadType > 127)
        {
            return false;
        }

        var parts = value[(space + 1)..].Trim().Split('/');
        if (parts.Length < 2 || parts[0].Length == 0
            || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var clock))
        {
            return false;
        }

        var channels = 1;
        if (parts.Length > 2 && !int.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out channels))
        {
            return false;
        }

        map = new RtpMap(parts[0], clock, channels);
        return true;
    }

    public override string ToString() => Channels == 1 ? $"{Encoding}/{ClockRate}" : $"{Encoding}/{ClockRate}/{Channels}";
}
