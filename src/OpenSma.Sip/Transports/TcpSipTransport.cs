using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenSma.Sip.Parsing;

namespace OpenSma.Sip.Transports;

/// <summary>
/// SIP over TCP. Connections are kept by remote address and reused in both directions: a response
/// goes back on the connection its request came on, and requests to a peer reuse an open one.
/// </summary>
public sealed class TcpSipTransport : ISipTransport
{
    private readonly Socket _listener;
    private readonly SipMessageParser _parser;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<IPEndPoint, TcpSipConnection> _connections = new();
    private readonly CancellationTokenSource _stop = new();
    private ISipMessageSink? _sink;
    private Task _acceptLoop = Task.CompletedTask;

    private readonly SipTlsOptions? _tls;

    /// <param name="tls">When given, every connection is TLS (Via transport TLS, RFC 3261 §26.2).</param>
    public TcpSipTransport(IPEndPoint bindTo, SipParserLimits? limits = null, ILogger? logger = null, SipTlsOptions? tls = null)
    {
        _tls = tls;
        ArgumentNullException.ThrowIfNull(bindTo);
        _listener = new Socket(bindTo.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (bindTo.AddressFamily == AddressFamily.InterNetworkV6 && bindTo.Address.Equals(IPAddress.IPv6Any))
        {
            _listener.DualMode = true;
        }

        _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Bind(bindTo);
        _parser = new SipMessageParser(limits);
        _logger = logger ?? NullLogger.Instance;
        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
    }

    public string Protocol => _tls is null ? "TCP" : "TLS";

    public bool IsReliable => true;

    public IPEndPoint LocalEndPoint { get; }

    internal int ConnectionCount => _connections.Count;

    public Task StartAsync(ISipMessageSink sink, CancellationToken cancellationToken)
    {
        _sink = sink;
        _listener.Listen(512);
        SipTransportLog.Listening(_logger, Protocol, LocalEndPoint);
        _acceptLoop = Task.Run(AcceptLoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                SipTransportLog.ReceiveFailed(_logger, ex, Protocol, null);
                continue;
            }

            Adopt(socket, Normalize((IPEndPoint)socket.RemoteEndPoint!));
        }
    }

    private TcpSipConnection Adopt(Socket socket, IPEndPoint remote)
    {
        var connection = new TcpSipConnection(socket, remote, _logger);
        lock (_connections)
        {
            _connections[remote] = connection;
        }

        connection.Start(this, _sink!, _parser, Forget, _tls is null ? null : _tls.AuthenticateServerAsync);
        return connection;
    }

    public void Send(ReadOnlyMemory<byte> data, IPEndPoint remote)
    {
        remote = Normalize(remote);
        TcpSipConnection connection;
        lock (_connections)
        {
            // The connection is registered before it connects, so sends to one peer keep their order.
            if (!_connections.TryGetValue(remote, out connection!))
            {
                var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                connection = new TcpSipConnection(socket, remote, _logger);
                _connections[remote] = connection;
                _ = ConnectAsync(connection, socket);
            }
        }

        if (!connection.TrySend(data))
        {
            SipTransportLog.SendFailed(_logger, new SocketException((int)SocketError.NotConnected), Protocol, remote);
        }
    }

    private async Task ConnectAsync(TcpSipConnection connection, Socket socket)
    {
        // Never report a failure from inside Send: the caller is still setting up its transaction.
        await Task.Yield();
        try
        {
            await socket.ConnectAsync(connection.Remote, _stop.Token).ConfigureAwait(false);
            connection.Start(this, _sink!, _parser, Forget, _tls is null ? null : (s, ct) => _tls.AuthenticateClientAsync(s, connection.Remote, ct));
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            SipTransportLog.SendFailed(_logger, ex, Protocol, connection.Remote);
            Forget(connection);
            connection.Abort();
            if (ex is SocketException)
            {
                _sink?.OnSendFailed(new SipRemote(this, connection.Remote));
            }
        }
    }

    private void Forget(TcpSipConnection connection)
    {
        lock (_connections)
        {
            _connections.TryRemove(new KeyValuePair<IPEndPoint, TcpSipConnection>(connection.Remote, connection));
        }
    }

    private static IPEndPoint Normalize(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        foreach (var connection in _connections.Values)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
