using Microsoft.Extensions.Logging;

namespace OpenSma.Sip.Transactions;

internal static partial class SipStackLog
{
    [LoggerMessage(Level = LogLevel.Trace, Message = "SIP sent to {Remote}: {Summary}")]
    public static partial void Sent(ILogger logger, string remote, string summary);
}
