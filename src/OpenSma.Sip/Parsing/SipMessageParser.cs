using System.Buffers;
using System.Text;
using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Parsing;

/// <summary>
/// Reads SIP messages from datagrams (one message per datagram, RFC 3261 §18.3) and from
/// stream transports (framed by Content-Length, answering "need more bytes"). Never throws for
/// bad input: every failure comes back as a <see cref="SipParseResult"/>.
/// </summary>
public sealed class SipMessageParser
{
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    public SipMessageParser(SipParserLimits? limits = null)
    {
        Limits = limits ?? SipParserLimits.Default;
    }

    public SipParserLimits Limits { get; }

    /// <summary>Parses one UDP datagram. Octets after Content-Length are ignored; without it the body runs to the end.</summary>
    public SipParseResult ParseDatagram(ReadOnlySpan<byte> data)
    {
        try
        {
            return ParseDatagramCore(data);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            // Defence in depth: a parser bug must cost one message, never the transport loop.
            return SipParseResult.Fail(400, "Unparseable message: " + ex.GetType().Name);
        }
    }

    private SipParseResult ParseDatagramCore(ReadOnlySpan<byte> data)
    {
        var skipped = CountLeadingLineBreaks(data);
        data = data[skipped..];
        if (data.IsEmpty)
        {
            return SipParseResult.Fail(0, "Keep-alive or empty datagram");
        }

        var (headLength, bodyStart) = FindHeadEnd(data);
        if (headLength > Limits.MaxMessageBytes)
        {
            return SipParseResult.Fail(513, "Message too large");
        }

        var head = SipHeadParser.Parse(Encoding.UTF8.GetString(data[..headLength]), Limits);
        if (!head.IsComplete)
        {
            return head;
        }

        var message = head.Message!;
        var available = data.Length - bodyStart;
        var length = ReadContentLength(message.Headers, out var lengthError);
        if (lengthError is not null)
        {
            return SipParseResult.Fail(400, lengthError, message);
        }

        if (length > Limits.MaxBodyBytes)
        {
            return SipParseResult.Fail(413, "Body too large", message);
        }

        if (data.Length > Limits.MaxMessageBytes)
        {
            return SipParseResult.Fail(513, "Message too large", message);
        }

        if (length > available)
        {
            return SipParseResult.Fail(400, "Content-Length exceeds the datagram", message);
        }

        message.Body = data.Slice(bodyStart, length ?? available).ToArray();
        return Finish(message, data.Length + skipped);
    }

    /// <summary>
    /// Parses the next message from stream input. <see cref="SipParseResult.Consumed"/> says how far
    /// to advance; on <see cref="SipParseStatus.Incomplete"/> read more and call again.
    /// </summary>
    public SipParseResult ParseStream(ReadOnlySequence<byte> buffer)
    {
        try
        {
            return ParseStreamCore(buffer);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            return SipParseResult.Fail(400, "Unparseable message: " + ex.GetType().Name, framingLost: true);
        }
    }

    private SipParseResult ParseStreamCore(ReadOnlySequence<byte> buffer)
    {
        // CRLF keep-alives (RFC 5626 §3.5.1) between messages are skipped.
        var reader = new SequenceReader<byte>(buffer);
        var skipped = reader.AdvancePastAny((byte)'\r', (byte)'\n');
        if (reader.End)
        {
            return SipParseResult.Incomplete with { Consumed = skipped };
        }

        if (!reader.TryReadTo(out ReadOnlySequence<byte> headBytes, HeadEnd, advancePastDelimiter: true))
        {
            return reader.Remaining > Limits.MaxMessageBytes
                ? SipParseResult.Fail(513, "Header section too large", framingLost: true)
                : SipParseResult.Incomplete with { Consumed = skipped };
        }

        if (headBytes.Length > Limits.MaxMessageBytes)
        {
            return SipParseResult.Fail(513, "Header section too large", framingLost: true);
        }

        var head = SipHeadParser.Parse(Encoding.UTF8.GetString(headBytes), Limits);
        if (head.Message is null)
        {
            return head with { FramingLost = true };
        }

        var message = head.Message;
        var length = ReadContentLength(message.Headers, out var lengthError) ?? 0;
        if (lengthError is not null)
        {
            return SipParseResult.Fail(400, lengthError, message, framingLost: true);
        }

        if (length > Limits.MaxBodyBytes)
        {
            return SipParseResult.Fail(413, "Body too large", message, framingLost: true);
        }

        if (reader.Remaining < length)
        {
            return SipParseResult.Incomplete with { Consumed = skipped };
        }

        message.Body = reader.UnreadSequence.Slice(0, length).ToArray();
        var consumed = reader.Consumed + length;
        if (!head.IsComplete)
        {
            return head with { Consumed = consumed };
        }

        return Finish(message, consumed);
    }

    private static SipParseResult Finish(SipMessage message, long consumed)
    {
        var error = SipMessageValidator.Validate(message);
        return error is { } e
            ? SipParseResult.Fail(e.Code, e.Error, message, consumed)
            : SipParseResult.Ok(message, consumed);
    }

    /// <summary>Content-Length, or null when absent. Conflicting or non-numeric values are errors (RFC 4475 ncl, mcl01).</summary>
    private static int? ReadContentLength(SipHeaders headers, out string? error)
    {
        error = null;
        int? length = null;
        foreach (var field in headers.GetFields(SipHeaderNames.ContentLength))
        {
            if (!SipGrammar.TryParseBoundedInt(SipGrammar.Trim(field), int.MaxValue, out var value))
            {
                error = "Malformed Content-Length";
                return null;
            }

            if (length is { } previous && previous != value)
            {
                error = "Conflicting Content-Length values";
                return null;
            }

            length = (int)value;
        }

        return length;
    }

    private static int CountLeadingLineBreaks(ReadOnlySpan<byte> data)
    {
        var i = 0;
        while (i < data.Length && data[i] is (byte)'\r' or (byte)'\n')
        {
            i++;
        }

        return i;
    }

    /// <summary>Finds the empty line; tolerates bare LF. Without one the whole datagram is the head.</summary>
    private static (int HeadLength, int BodyStart) FindHeadEnd(ReadOnlySpan<byte> data)
    {
        var from = 0;
        while (true)
        {
            var nl = data[from..].IndexOf((byte)'\n');
            if (nl < 0)
            {
                return (data.Length, data.Length);
            }

            var i = from + nl;
            if (i + 1 < data.Length && data[i + 1] == '\n')
            {
                return (i + 1, i + 2);
            }

            if (i + 2 < data.Length && data[i + 1] == '\r' && data[i + 2] == '\n')
            {
                return (i + 1, i + 3);
            }

            from = i + 1;
        }
    }
}
