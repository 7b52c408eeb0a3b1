using System.Globalization;
using System.Text;
using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Parsing;

/// <summary>Serializes messages to wire bytes. Content-Length is always written from the real body length.</summary>
public static class SipMessageWriter
{
    public static byte[] ToBytes(SipMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var head = WriteHead(message);
        var headBytes = Encoding.UTF8.GetByteCount(head);
        var bytes = new byte[headBytes + message.Body.Length];
        Encoding.UTF8.GetBytes(head, bytes);
        message.Body.Span.CopyTo(bytes.AsSpan(headBytes));
        return bytes;
    }

    public static string WriteHead(SipMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var sb = new StringBuilder(512);
        switch (message)
        {
            case SipRequest request:
                sb.Append(request.Method).Append(' ').Append(request.RequestUri).Append(" SIP/2.0\r\n");
                break;
            case SipResponse response:
                sb.Append("SIP/2.0 ").Append(response.StatusCode.ToString(CultureInfo.InvariantCulture))
                    .Append(' ').Append(response.ReasonPhrase).Append("\r\n");
                break;
        }

        foreach (var header in message.Headers)
        {
            if (header.Name == SipHeaderNames.ContentLength)
            {
                continue;
            }

            sb.Append(header.Name).Append(": ").Append(header.Value).Append("\r\n");
        }

        sb.Append("Content-Length: ").Append(message.Body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n\r\n");
        return sb.ToString();
    }
}
