using System.Text;
using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Parsing;

/// <summary>Serializes messages to wire bytes. Content-Length is always written from the real body length.</summary>
public static class SipMessageWriter
{
    /// <summary>One builder per thread: every message sent would otherwise allocate and grow its own.</summary>
    [ThreadStatic]
    private static StringBuilder? t_builder;

    public static byte[] ToBytes(SipMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var sb = t_builder ?? new StringBuilder(1024);
        t_builder = null;
        sb.Clear();
        AppendHead(sb, message);

        // Encode straight from the builder's chunks: no intermediate string.
        var headBytes = 0;
        foreach (var chunk in sb.GetChunks())
        {
            headBytes += Encoding.UTF8.GetByteCount(chunk.Span);
        }

        var bytes = new byte[headBytes + message.Body.Length];
        var at = 0;
        foreach (var chunk in sb.GetChunks())
        {
            at += Encoding.UTF8.GetBytes(chunk.Span, bytes.AsSpan(at));
        }

        message.Body.Span.CopyTo(bytes.AsSpan(headBytes));
        if (sb.Capacity <= 16 * 1024)
        {
            t_builder = sb;
        }

        return bytes;
    }

    public static string WriteHead(SipMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var sb = new StringBuilder(512);
        AppendHead(sb, message);
        return sb.ToString();
    }

    private static void AppendHead(StringBuilder sb, SipMessage message)
    {
        switch (message)
        {
            case SipRequest request:
                request.RequestUri.AppendTo(sb.Append(request.Method).Append(' ')).Append(" SIP/2.0\r\n");
                break;
            case SipResponse response:
                sb.Append("SIP/2.0 ").Append(response.StatusCode)
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

        sb.Append("Content-Length: ").Append(message.Body.Length).Append("\r\n\r\n");
    }
}
