using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenSma.Sip.Parsing;

namespace OpenSma.Sip.Transports;

/// <summary>
/// SIP over UDP: one message per datagram (RFC 3261 §18.3). On Linux, ICMP unreachable errors for
/// datagrams we sent are read from the socket's error queue and reported to the sink, so a request
/// to a closed port fails at once with 503 instead of at Timer B/F (RFC 3261 §8.1.3.1, §18.4).
/// </summary>
public sealed class UdpSipTransport : ISipTransport
{
    private readonly Socket _socket;
    private readonly SipMessageParser _parser;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly bool _readsIcmpErrors;
    private Task _receiveLoop = Task.CompletedTask;
    private ISipMessageSink? _sink;

    public UdpSipTransport(IPEndPoint bindTo, SipParserLimits? limits = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(bindTo);
        _socket = new Socket(bindTo.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (bindTo.AddressFamily == AddressFamily.InterNetworkV6 && bindTo.Address.Equals(IPAddress.IPv6Any))
        {
            _socket.DualMode = true;
        }

        _socket.Bind(bindTo);
        _readsIcmpErrors = UdpErrorQueue.Enable(_socket);
        _parser = new SipMessageParser(limits);
        _logger = logger ?? NullLogger.Instance;
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public string Protocol => "UDP";

    public bool IsReliable => false;

    public IPEndPoint LocalEndPoint { get; }

    public Task StartAsync(ISipMessageSink sink, CancellationToken cancellationToken)
    {
        SipTransportLog.Listening(_logger, Protocol, LocalEndPoint);
        _sink = sink;
        _receiveLoop = Task.Run(() => ReceiveLoopAsync(sink), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task ReceiveLoopAsync(ISipMessageSink sink)
    {
        var buffer = new byte[65_536];
        EndPoint any = new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            IPEndPoint remote;
            int length;
            try
            {
                var result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token).ConfigureAwait(false);
                remote = (IPEndPoint)result.RemoteEndPoint;
                length = result.ReceivedBytes;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex) when (_readsIcmpErrors && UdpErrorQueue.IsIcmpError(ex.SocketErrorCode))
            {
                // An ICMP error for something we sent: the error queue says for which destination.
                ReportUnreachable(sink, UdpErrorQueue.Drain(_socket));
                continue;
            }
            catch (SocketException ex)
            {
                SipTransportLog.ReceiveFailed(_logger, ex, Protocol, null);
                continue;
            }

            Dispatch(sink, buffer.AsSpan(0, length), remote);
        }
    }

    private void Dispatch(ISipMessageSink sink, ReadOnlySpan<byte> datagram, IPEndPoint remote)
    {
        var from = new SipRemote(this, remote);
        try
        {
            var result = _parser.ParseDatagram(datagram);
            if (result.IsComplete)
            {
                sink.OnMessage(new SipInbound(result.Message!, from));
            }
            else
            {
                sink.OnParseFailure(result, from);
            }
        }
        catch (Exception ex)
        {
            // Nothing a peer sends may stop the receive loop.
            SipTransportLog.ReceiveFailed(_logger, ex, Protocol, remote);
        }
    }

    private void ReportUnreachable(ISipMessageSink sink, List<IPEndPoint> unreachable)
    {
        foreach (var endPoint in unreachable)
        {
            SipTransportLog.Unreachable(_logger, Protocol, endPoint);
            try
            {
                sink.OnSendFailed(new SipRemote(this, endPoint));
            }
            catch (Exception ex)
            {
                // The sink must not stop the receive loop.
                SipTransportLog.ReceiveFailed(_logger, ex, Protocol, endPoint);
            }
        }
    }

    public void Send(ReadOnlyMemory<byte> data, IPEndPoint remote)
    {
        try
        {
            _socket.SendTo(data.Span, SocketFlags.None, remote);
        }
        catch (SocketException ex) when (_readsIcmpErrors && UdpErrorQueue.IsIcmpError(ex.SocketErrorCode))
        {
            // The socket's pending ICMP error (possibly about another peer) failed this send once:
            // take the queued errors, report them off this call stack (callers hold the stack's
            // gate mid-operation), and send again.
            var unreachable = UdpErrorQueue.Drain(_socket);
            if (unreachable.Count > 0 && _sink is { } sink)
            {
                ThreadPool.QueueUserWorkItem(state => ReportUnreachable(sink, state), unreachable, preferLocal: false);
            }

            SendOnce(data, remote);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            SipTransportLog.SendFailed(_logger, ex, Protocol, remote);
        }
    }

    private void SendOnce(ReadOnlyMemory<byte> data, IPEndPoint remote)
    {
        try
        {
            _socket.SendTo(data.Span, SocketFlags.None, remote);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            SipTransportLog.SendFailed(_logger, ex, Protocol, remote);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        try
        {
            await _receiveLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
