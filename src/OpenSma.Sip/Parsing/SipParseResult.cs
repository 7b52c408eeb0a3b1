using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Parsing;

/// <summary>
/// The outcome of one parse. Failures are values, never exceptions: <see cref="ErrorStatusCode"/>
/// is the response a UAS should send (400, 413, 505, 513, ...) and <see cref="Message"/> holds what
/// could be read, so the answer can copy Via, From, To, Call-ID and CSeq.
/// </summary>
public readonly record struct SipParseResult
{
    public SipParseStatus Status { get; init; }

    public SipMessage? Message { get; init; }

    public int ErrorStatusCode { get; init; }

    public string? Error { get; init; }

    /// <summary>Bytes of input this result accounts for (stream parsing).</summary>
    public long Consumed { get; init; }

    /// <summary>The stream can no longer be framed (bad Content-Length, oversize head): close it.</summary>
    public bool FramingLost { get; init; }

    public bool IsComplete => Status == SipParseStatus.Complete;

    public static SipParseResult Incomplete => new() { Status = SipParseStatus.Incomplete };

    internal static SipParseResult Ok(SipMessage message, long consumed) =>
        new() { Status = SipParseStatus.Complete, Message = message, Consumed = consumed };

    internal static SipParseResult Fail(int statusCode, string error, SipMessage? partial = null, long consumed = 0, bool framingLost = false) =>
        new()
        {
            Status = SipParseStatus.Invalid, ErrorStatusCode = statusCode, Error = error, Message = partial,
            Consumed = consumed, FramingLost = framingLost,
        };
}
