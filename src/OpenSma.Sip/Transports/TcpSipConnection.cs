using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OpenSma.Sip.Parsing;

namespace OpenSma.Sip.Transports;

/// <summary>
/// One TCP connection: a read loop framing messages by Content-Length, and a write loop so that
/// sends from any thread go out whole and in order.
/// </summary>
internal sealed class TcpSipConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private Stream? _stream;
    private readonly Channel<ReadOnlyMemory<byte>> _outbox = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new() { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger;
    private Task _loops = Task.CompletedTask;

    public TcpSipConnection(Socket socket, IPEndPoint remote, ILogger logger)
    {
        _socket = socket;
        Remote = remote;
        _logger = logger;
    }

    public IPEndPoint Remote { get; }

    public Task Completion => _loops;

    /// <summary>Starts reading and writing once the socket is connected; sends queued before that go out first.</summary>
    public void Start(TcpSipTransport transport, ISipMessageSink sink, SipMessageParser parser, Action<TcpSipConnection> onClosed, Func<NetworkStream, CancellationToken, Task<Stream>>? secure = null)
    {
        _socket.NoDelay = true;
        var network = new NetworkStream(_socket, ownsSocket: true);
        _loops = Task.Run(
            async () =>
            {
                try
                {
                    // TLS: the handshake comes before any SIP; a failed one just ends the connection.
                    _stream = secure is null ? network : await secure(network, _stop.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException or ObjectDisposedException)
                {
                    SipTransportLog.ReceiveFailed(_logger, ex, transport.Protocol, Remote);
                    _outbox.Writer.TryComplete();
                    _socket.Close();
                    return;
                }

                var reading = Task.Run(() => ReadLoopAsync(transport, sink, parser), CancellationToken.None);
                var writing = Task.Run(WriteLoopAsync, CancellationToken.None);
                await Task.WhenAll(reading, writing).ConfigureAwait(false);
            },
            CancellationToken.None).ContinueWith(
            _ =>
            {
                SipTransportLog.ConnectionClosed(_logger, transport.Protocol, Remote);
                onClosed(this);
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    public bool TrySend(ReadOnlyMemory<byte> data) => _outbox.Writer.TryWrite(data);

    /// <summary>The outbound connect failed: drop what was queued.</summary>
    public void Abort()
    {
        _outbox.Writer.TryComplete();
        _socket.Dispose();
    }

    private async Task ReadLoopAsync(TcpSipTransport transport, ISipMessageSink sink, SipMessageParser parser)
    {
        var reader = PipeReader.Create(_stream!, new StreamPipeReaderOptions(leaveOpen: true));
        var from = new SipRemote(transport, Remote);
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(_stop.Token).ConfigureAwait(false);
                var buffer = read.Buffer;
                var closeNow = false;
                while (true)
                {
                    var result = parser.ParseStream(buffer);
                    buffer = buffer.Slice(result.Consumed);
                    if (result.Status == SipParseStatus.Incomplete)
                    {
                        break;
                    }

                    if (result.IsComplete)
                    {
                        sink.OnMessage(new SipInbound(result.Message!, from));
                        continue;
                    }

                    sink.OnParseFailure(result, from);
                    if (result.FramingLost)
                    {
                        // RFC 4475 clerr/ncl/mcl01 over a stream: the framing cannot be recovered.
                        SipTransportLog.FramingLost(_logger, transport.Protocol, Remote, result.Error);
                        closeNow = true;
                        break;
                    }
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (closeNow || read.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Peer reset or shutdown: the connection simply ends.
        }
        catch (Exception ex)
        {
            SipTransportLog.ReceiveFailed(_logger, ex, transport.Protocol, Remote);
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);

            // The write loop drains what is queued (such as a 400 for the faulty message), then closes.
            _outbox.Writer.TryComplete();
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var data in _outbox.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                await _stream!.WriteAsync(data, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            _socket.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _outbox.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Close();
        await _loops.ConfigureAwait(false);
        if (_stream is not null)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        _stop.Dispose();
    }
}
