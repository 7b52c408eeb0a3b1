using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenSma.Sip.Parsing;

namespace OpenSma.Sip.Transports;

/// <summary>SIP over UDP: one message per datagram (RFC 3261 §18.3).</summary>
public sealed class UdpSipTransport : ISipTransport
{
    private readonly Socket _socket;
    private readonly SipMessageParser _parser;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _receiveLoop = Task.CompletedTask;

    public UdpSipTransport(IPEndPoint bindTo, SipParserLimits? limits = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(bindTo);
        _socket = new Socket(bindTo.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (bindTo.AddressFamily == AddressFamily.InterNetworkV6 && bindTo.Address.Equals(IPAddress.IPv6Any))
        {
            _socket.DualMode = true;
        }

        _socket.Bind(bindTo);
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
            catch (SocketException ex)
            {
                // ICMP port unreachable from an earlier send surfaces here on some stacks; keep reading.
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

    public void Send(ReadOnlyMemory<byte> data, IPEndPoint remote)
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
