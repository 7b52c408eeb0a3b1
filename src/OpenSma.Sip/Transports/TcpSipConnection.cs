using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OpenSma.Sip.Parsing;

namespace OpenSma.Sip.Transports;

/// <summary>
/// One TCP connection: a read loop framing messages by Content-Length, and a write loop so that
/// sends from any thread go out whole and in order. Whatever way it ends (peer close, framing
/// lost, idle, send queue overflow, dispose), the socket and stream are released once both loops end.
/// </summary>
internal sealed class TcpSipConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private Stream? _stream;
    private readonly Channel<ReadOnlyMemory<byte>> _outbox = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new() { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly int _maxQueuedBytes;
    private Task _loops = Task.CompletedTask;
    private long _lastActivity;
    private long _queuedBytes;
    private int _closed;

    public TcpSipConnection(Socket socket, IPEndPoint remote, ILogger logger, TimeProvider time, bool inbound, int maxQueuedBytes)
    {
        _socket = socket;
        Remote = remote;
        _logger = logger;
        _time = time;
        Inbound = inbound;
        _maxQueuedBytes = maxQueuedBytes;
        _lastActivity = time.GetTimestamp();
    }

    public IPEndPoint Remote { get; }

    /// <summary>True when the peer connected to us (counted against the accept caps).</summary>
    public bool Inbound { get; }

    public Task Completion => _loops;

    /// <summary>How long since a byte was last read or written on this connection.</summary>
    public TimeSpan IdleFor => _time.GetElapsedTime(Volatile.Read(ref _lastActivity));

    /// <summary>Starts reading and writing once the socket is connected; sends queued before that go out first.</summary>
    public void Start(TcpSipTransport transport, ISipMessageSink sink, SipMessageParser parser, Action<TcpSipConnection> onClosed, Func<NetworkStream, CancellationToken, Task<Stream>>? secure = null)
    {
        Touch();
        _loops = Task.Run(() => RunAsync(transport, sink, parser, secure), CancellationToken.None).ContinueWith(
            _ =>
            {
                SipTransportLog.ConnectionClosed(_logger, transport.Protocol, Remote);
                onClosed(this);
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task RunAsync(TcpSipTransport transport, ISipMessageSink sink, SipMessageParser parser, Func<NetworkStream, CancellationToken, Task<Stream>>? secure)
    {
        NetworkStream? network = null;
        try
        {
            _socket.NoDelay = true;
            network = new NetworkStream(_socket, ownsSocket: true);

            // TLS: the handshake comes before any SIP; a failed one just ends the connection.
            _stream = secure is null ? network : await secure(network, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Whatever failed (a reset, a refused handshake, a closed socket), the socket is released.
            SipTransportLog.ReceiveFailed(_logger, ex, transport.Protocol, Remote);
            _outbox.Writer.TryComplete();
            await ReleaseAsync(network).ConfigureAwait(false);
            return;
        }

        var reading = Task.Run(() => ReadLoopAsync(transport, sink, parser), CancellationToken.None);
        var writing = Task.Run(WriteLoopAsync, CancellationToken.None);
        await Task.WhenAll(reading, writing).ConfigureAwait(false);
        await ReleaseAsync(network).ConfigureAwait(false);
    }

    private async Task ReleaseAsync(NetworkStream? network)
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }

        if (network is not null)
        {
            await network.DisposeAsync().ConfigureAwait(false);
        }

        _socket.Dispose();
    }

    /// <summary>Queues bytes; refused when the connection is closing, or when its send queue would pass its bound (it is then closed).</summary>
    public SendOutcome TrySend(ReadOnlyMemory<byte> data)
    {
        if (Interlocked.Add(ref _queuedBytes, data.Length) > _maxQueuedBytes)
        {
            // The peer is not reading what we send: drop the connection rather than buffer without end.
            Interlocked.Add(ref _queuedBytes, -data.Length);
            Close();
            return SendOutcome.Overflow;
        }

        if (!_outbox.Writer.TryWrite(data))
        {
            Interlocked.Add(ref _queuedBytes, -data.Length);
            return SendOutcome.Closed;
        }

        return SendOutcome.Queued;
    }

    /// <summary>Ends the connection now (idle, over a limit, or disposing); the loops finish and release the socket.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _outbox.Writer.TryComplete();
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        // Shutting the socket down wakes a pending read or write at once.
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        _socket.Close();
    }

    /// <summary>The outbound connect failed: drop what was queued.</summary>
    public void Abort()
    {
        Interlocked.Exchange(ref _closed, 1);
        _outbox.Writer.TryComplete();
        _socket.Dispose();
    }

    private void Touch() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());

    private async Task ReadLoopAsync(TcpSipTransport transport, ISipMessageSink sink, SipMessageParser parser)
    {
        var reader = PipeReader.Create(_stream!, new StreamPipeReaderOptions(leaveOpen: true));
        var from = new SipRemote(transport, Remote);
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(_stop.Token).ConfigureAwait(false);
                Touch();
                var buffer = read.Buffer;
                var closeNow = false;
                while (true)
                {
                    // The parser refuses a header section past MaxMessageBytes and a body past
                    // MaxBodyBytes, so what is buffered for one incomplete message stays bounded.
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

                    sink.OnParseFailure(result.Message is null && result.ErrorStatusCode == 513 ? Salvage(result, buffer, parser.Limits) : result, from);
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

    /// <summary>
    /// A header section that never ends (or ends past MaxMessageBytes) leaves no whole message to
    /// answer from. The start line and the first header lines within the limits usually carry Via,
    /// From, To, Call-ID and CSeq, so they are read on their own and the 513 answered (RFC 3261
    /// §21.5.14) before the connection closes; when they do not, it simply closes.
    /// </summary>
    private static SipParseResult Salvage(SipParseResult result, System.Buffers.ReadOnlySequence<byte> buffer, SipParserLimits limits)
    {
        var prefix = buffer.Slice(0, Math.Min(buffer.Length, limits.MaxMessageBytes));
        var text = System.Text.Encoding.UTF8.GetString(System.Buffers.BuffersExtensions.ToArray(prefix)).TrimStart('\r', '\n');
        var lines = text.Split('\n');

        // The last piece may be a cut line; keep whole lines only, no more than the header cap.
        var keep = Math.Min(lines.Length - 1, limits.MaxHeaderCount + 1);
        if (keep < 1)
        {
            return result;
        }

        var head = SipHeadParser.Parse(string.Join('\n', lines, 0, keep), limits);
        return head.Message is Messages.SipRequest request && request.TopVia is not null && request.CSeq is not null
            && request.CallId is not null && request.From is not null && request.To is not null
            ? result with { Message = request }
            : result;
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var data in _outbox.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                // Stamped before the bytes leave, so a peer that has read them finds the stamp in place.
                Touch();
                await _stream!.WriteAsync(data, _stop.Token).ConfigureAwait(false);
                Interlocked.Add(ref _queuedBytes, -data.Length);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            Interlocked.Exchange(ref _closed, 1);
            try
            {
                await _stop.CancelAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
            }

            _socket.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Close();
        _socket.Dispose();
        await _loops.ConfigureAwait(false);
        if (_stream is not null)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}

internal enum SendOutcome
{
    Queued,
    Closed,
    Overflow,
}
