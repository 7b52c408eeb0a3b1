namespace OpenSma.Sip.Parsing;

public enum SipParseStatus
{
    /// <summary>A well-formed message was read.</summary>
    Complete,

    /// <summary>Stream input ends mid-message: read more bytes and try again.</summary>
    Incomplete,

    /// <summary>The input is faulty; see the status code. A request may still be answered with it.</summary>
    Invalid,
}
