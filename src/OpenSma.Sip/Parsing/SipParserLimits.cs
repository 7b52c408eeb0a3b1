namespace OpenSma.Sip.Parsing;

/// <summary>Bounds that keep a hostile peer from making the parser allocate or loop without end.</summary>
public sealed record SipParserLimits
{
    /// <summary>Largest whole message (header section plus body); past it the answer is 513.</summary>
    public int MaxMessageBytes { get; init; } = 65_535;

    /// <summary>Largest body a Content-Length may announce; past it the answer is 413.</summary>
    public int MaxBodyBytes { get; init; } = 32_768;

    /// <summary>Most header fields in one message; past it the answer is 400.</summary>
    public int MaxHeaderCount { get; init; } = 128;

    /// <summary>Longest header line after unfolding; past it the answer is 400.</summary>
    public int MaxLineLength { get; init; } = 8_192;

    public static SipParserLimits Default { get; } = new();
}
