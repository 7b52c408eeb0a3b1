namespace OpenSma.Media.Codecs;

/// <summary>An audio codec a leg can speak: its SDP encoding name, RTP clock rate and static payload type.</summary>
public sealed class AudioCodec
{
    public static readonly AudioCodec Pcmu = new("PCMU", 0, muLaw: true);
    public static readonly AudioCodec Pcma = new("PCMA", 8, muLaw: false);

    private readonly bool _muLaw;

    private AudioCodec(string name, byte payloadType, bool muLaw)
    {
        Name = name;
        StaticPayloadType = payloadType;
        _muLaw = muLaw;
    }

    public string Name { get; }

    public byte StaticPayloadType { get; }

    public int ClockRate { get; } = 8000;

    /// <summary>Bytes of payload per 20 ms frame (one byte per sample).</summary>
    public int FrameBytes { get; } = 160;

    public static AudioCodec? FromName(string name) =>
        name.Equals("PCMU", StringComparison.OrdinalIgnoreCase) ? Pcmu
        : name.Equals("PCMA", StringComparison.OrdinalIgnoreCase) ? Pcma
        : null;

    public static AudioCodec? FromStaticPayloadType(int payloadType) => payloadType switch
    {
        0 => Pcmu,
        8 => Pcma,
        _ => null,
    };

    public void Encode(ReadOnlySpan<short> samples, Span<byte> payload)
    {
        if (_muLaw)
        {
            G711.EncodeMuLaw(samples, payload);
        }
        else
        {
            G711.EncodeALaw(samples, payload);
        }
    }

    public void Decode(ReadOnlySpan<byte> payload, Span<short> samples)
    {
        if (_muLaw)
        {
            G711.DecodeMuLaw(payload, samples);
        }
        else
        {
            G711.DecodeALaw(payload, samples);
        }
    }

    /// <summary>Re-encodes a payload of this codec as <paramref name="target"/> (a copy when they are the same).</summary>
    public void TranscodeTo(AudioCodec target, ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (ReferenceEquals(target, this))
        {
            payload.CopyTo(destination);
        }
        else
        {
            G711.Transcode(payload, destination, muLawToALaw: _muLaw);
        }
    }

    public override string ToString() => Name;
}
