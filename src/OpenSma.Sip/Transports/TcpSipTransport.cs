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
/// Inbound connections are capped in total and per remote address (over the cap a new one is
/// closed at accept), and connections idle past <see cref="SipConnectionOptions.IdleTimeout"/>
/// that nothing uses are closed.
/// </summary>
public sealed class TcpSipTransport : ISipTransport
{
    private readonly Socket _listener;
    private readonly SipMessageParser _parser;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<IPEndPoint, TcpSipConnection> _connections = new();
    private readonly Dictionary<IPAddress, int> _inboundPerAddress = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly SipConnectionOptions _options;
    private readonly TimeProvider _time;
    private ISipMessageSink? _sink;
    private Task _acceptLoop = Task.CompletedTask;
    private ITimer? _idleSweep;
    private int _inbound;
    private long _refusedTotal;
    private long _refusedPerAddress;
    private long _idleClosed;
    private long _sendQueueOverflows;

    private readonly SipTlsOptions? _tls;

    /// <param name="tls">When given, every connection is TLS (Via transport TLS, RFC 3261 §26.2).</param>
    /// <param name="connections">Caps and the idle timeout; null takes <see cref="SipConnectionOptions.Default"/>.</param>
    /// <param name="time">The clock idle connections are judged by (tests pass a fake one).</param>
    public TcpSipTransport(IPEndPoint bindTo, SipParserLimits? limits = null, ILogger? logger = null, SipTlsOptions? tls = null,
        SipConnectionOptions? connections = null, TimeProvider? time = null)
    {
        _tls = tls;
        ArgumentNullException.ThrowIfNull(bindTo);
        _options = connections ?? SipConnectionOptions.Default;
        _time = time ?? TimeProvider.System;
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

    /// <summary>Open connections, inbound and outbound, and what the limits have refused or closed so far.</summary>
    public SipConnectionStatistics Statistics => new(
        _connections.Count,
        Volatile.Read(ref _inbound),
        Interlocked.Read(ref _refusedTotal),
        Interlocked.Read(ref _refusedPerAddress),
        Interlocked.Read(ref _idleClosed),
        Interlocked.Read(ref _sendQueueOverflows));

    public Task StartAsync(ISipMessageSink sink, CancellationToken cancellationToken)
    {
        _sink = sink;
        _listener.Listen(512);
        SipTransportLog.Listening(_logger, Protocol, LocalEndPoint);
        _acceptLoop = Task.Run(AcceptLoopAsync, CancellationToken.None);
        if (_options.IdleTimeout is { } idle && idle > TimeSpan.Zero)
        {
            // A quarter of the timeout between sweeps: a connection goes within 1.25 times it.
            var period = TimeSpan.FromTicks(Math.Max(idle.Ticks / 4, TimeSpan.TicksPerMillisecond));
            _idleSweep = _time.CreateTimer(_ => SweepIdleSafely(idle), null, period, period);
        }

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

            IPEndPoint remote;
            try
            {
                if (socket.RemoteEndPoint is not IPEndPoint endPoint)
                {
                    socket.Dispose();
                    continue;
                }

                remote = Normalize(endPoint);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Reset between accept and here.
                socket.Dispose();
                continue;
            }

            if (!TryAdmit(remote.Address))
            {
                // Closed at accept: no read, no handshake, nothing kept.
                socket.Close(0);
                continue;
            }

            Adopt(socket, remote);
        }
    }

    /// <summary>Counts an inbound connection against the caps; false (and a refusal counted) when over one.</summary>
    private bool TryAdmit(IPAddress address)
    {
        lock (_inboundPerAddress)
        {
            if (_inbound >= _options.MaxInboundConnections)
            {
                Interlocked.Increment(ref _refusedTotal);
                SipTransportLog.ConnectionRefused(_logger, Protocol, address, "total");
                return false;
            }

            _inboundPerAddress.TryGetValue(address, out var fromAddress);
            if (fromAddress >= _options.MaxInboundConnectionsPerAddress)
            {
                Interlocked.Increment(ref _refusedPerAddress);
                SipTransportLog.ConnectionRefused(_logger, Protocol, address, "per-address");
                return false;
            }

            _inboundPerAddress[address] = fromAddress + 1;
            _inbound++;
            return true;
        }
    }

    private void Release(IPAddress address)
    {
        lock (_inboundPerAddress)
        {
            _inbound--;
            if (_inboundPerAddress.TryGetValue(address, out var count) && count > 1)
            {
                _inboundPerAddress[address] = count - 1;
            }
            else
            {
                _inboundPerAddress.Remove(address);
            }
        }
    }

    private TcpSipConnection Adopt(Socket socket, IPEndPoint remote)
    {
        var connection = new TcpSipConnection(socket, remote, _logger, _time, inbound: true, _options.MaxQueuedSendBytes);
        lock (_connections)
        {
            _connections[remote] = connection;
        }

        connection.Start(this, _sink!, _parser, Closed, _tls is null ? null : _tls.AuthenticateServerAsync);
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
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                connection = new TcpSipConnection(socket, remote, _logger, _time, inbound: false, _options.MaxQueuedSendBytes);
                _connections[remote] = connection;
                _ = ConnectAsync(connection, socket);
            }
        }

        var outcome = connection.TrySend(data);
        if (outcome != SendOutcome.Queued)
        {
            if (outcome == SendOutcome.Overflow)
            {
                Interlocked.Increment(ref _sendQueueOverflows);
                Forget(connection);
            }

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
            connection.Start(this, _sink!, _parser, Closed, _tls is null ? null : (s, ct) => _tls.AuthenticateClientAsync(s, connection.Remote, ct));
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

    private void Closed(TcpSipConnection connection)
    {
        // The cap slot first: once a connection is gone from the table, its slot is free too.
        if (connection.Inbound)
        {
            Release(connection.Remote.Address);
        }

        Forget(connection);
    }

    private void Forget(TcpSipConnection connection)
    {
        lock (_connections)
        {
            _connections.TryRemove(new KeyValuePair<IPEndPoint, TcpSipConnection>(connection.Remote, connection));
        }
    }

    private void SweepIdleSafely(TimeSpan idle)
    {
        try
        {
            SweepIdle(idle);
        }
        catch (Exception ex)
        {
            // A timer callback must never throw; the next sweep tries again.
            SipTransportLog.ReceiveFailed(_logger, ex, Protocol, null);
        }
    }

    /// <summary>
    /// Closes connections idle for <paramref name="idle"/> unless a transaction, dialog or binding
    /// still uses them (asked of the sink outside any transport lock, since it takes the stack's gate).
    /// </summary>
    internal void SweepIdle(TimeSpan idle)
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        var candidates = _connections.Values.Where(c => c.IdleFor >= idle).ToList();
        if (candidates.Count == 0)
        {
            return;
        }

        var inUse = new HashSet<IPEndPoint>();
        try
        {
            _sink?.CollectFlowsInUse(this, inUse);
        }
        catch (Exception ex)
        {
            // Not knowing what is in use, close nothing this round.
            SipTransportLog.ReceiveFailed(_logger, ex, Protocol, null);
            return;
        }

        if (inUse.Any(e => e.Address.IsIPv4MappedToIPv6))
        {
            inUse = [.. inUse.Select(Normalize)];
        }

        foreach (var connection in candidates)
        {
            if (inUse.Contains(connection.Remote) || connection.IdleFor < idle)
            {
                continue;
            }

            Interlocked.Increment(ref _idleClosed);
            SipTransportLog.IdleClosed(_logger, Protocol, connection.Remote);
            Forget(connection);
            connection.Close();
        }
    }

    private static IPEndPoint Normalize(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    public async ValueTask DisposeAsync()
    {
        if (_idleSweep is not null)
        {
            await _idleSweep.DisposeAsync().ConfigureAwait(false);
        }

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

/// <summary>
/// A SIP stream transport's connections: open now (all, and inbound), refused at accept over the
/// total or per-address cap, closed for idleness, and closed because the peer stopped reading.
/// </summary>
public readonly record struct SipConnectionStatistics(int Open, int Inbound, long RefusedOverTotalCap, long RefusedOverAddressCap, long IdleClosed, long SendQueueOverflows);
