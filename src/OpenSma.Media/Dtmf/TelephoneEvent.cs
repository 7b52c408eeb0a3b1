using System.Buffers.Binary;

namespace OpenSma.Media.Dtmf;

/// <summary>The RFC 4733 telephone-event payload: event code, end bit, volume and duration.</summary>
public readonly record struct TelephoneEvent(byte Event, bool End, byte Volume, ushort Duration)
{
    public const int PayloadBytes = 4;

    private const string Digits = "0123456789*#ABCD";

    public static bool TryRead(ReadOnlySpan<byte> payload, out TelephoneEvent value)
    {
        value = default;
        if (payload.Length < PayloadBytes)
        {
            return false;
        }

        value = new TelephoneEvent(payload[0], (payload[1] & 0x80) != 0, (byte)(payload[1] & 0x3F), BinaryPrimitives.ReadUInt16BigEndian(payload[2..]));
        return true;
    }

    public void Write(Span<byte> payload)
    {
        payload[0] = Event;
        payload[1] = (byte)((End ? 0x80 : 0) | (Volume & 0x3F));
        BinaryPrimitives.WriteUInt16BigEndian(payload[2..], Duration);
    }

    /// <summary>Event codes 0-15 are the DTMF keys (RFC 4733 section 3.2); other events (flash, fax tones) have none.</summary>
    public static char? ToDigit(byte eventCode) => eventCode < Digits.Length ? Digits[eventCode] : null;

    public static byte? FromDigit(char digit)
    {
        var index = Digits.IndexOf(char.ToUpperInvariant(digit), StringComparison.Ordinal);
        return index < 0 ? null : (byte)index;
    }
}
