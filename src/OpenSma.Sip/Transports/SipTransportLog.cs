using System.Net;
using Microsoft.Extensions.Logging;

namespace OpenSma.Sip.Transports;

internal static partial class SipTransportLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "SIP {Protocol} listening on {EndPoint}")]
    public static partial void Listening(ILogger logger, string protocol, EndPoint endPoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP {Protocol} receive from {Remote} failed")]
    public static partial void ReceiveFailed(ILogger logger, Exception exception, string protocol, EndPoint? remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP {Protocol} send to {Remote} failed")]
    public static partial void SendFailed(ILogger logger, Exception exception, string protocol, EndPoint remote);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SIP {Protocol} destination {Remote} unreachable (ICMP)")]
    public static partial void Unreachable(ILogger logger, string protocol, EndPoint remote);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SIP {Protocol} connection {Remote} closed")]
    public static partial void ConnectionClosed(ILogger logger, string protocol, EndPoint remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP {Protocol} closing {Remote}: framing lost ({Error})")]
    public static partial void FramingLost(ILogger logger, string protocol, EndPoint remote, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP {Protocol} refused a connection from {Address}: {Cap} connection cap reached")]
    public static partial void ConnectionRefused(ILogger logger, string protocol, IPAddress address, string cap);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SIP {Protocol} closing idle connection {Remote}")]
    public static partial void IdleClosed(ILogger logger, string protocol, EndPoint remote);
}
