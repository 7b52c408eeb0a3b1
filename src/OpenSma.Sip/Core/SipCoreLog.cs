using Microsoft.Extensions.Logging;

namespace OpenSma.Sip.Core;

internal static partial class SipCoreLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP bad message from {Remote}: {Status} {Error}")]
    public static partial void BadMessage(ILogger logger, string remote, int status, string? error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SIP stray response from {Remote} dropped: {Summary}")]
    public static partial void StrayResponse(ILogger logger, string remote, string summary);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP no transport for {Target}")]
    public static partial void NoRoute(ILogger logger, string target);

    [LoggerMessage(Level = LogLevel.Error, Message = "SIP handler failed on {Summary}")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string summary);
}
