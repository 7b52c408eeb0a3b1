using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OpenSma.Media.Tests.TestSupport;

/// <summary>
/// Just enough of a SIP user agent server over UDP for media interop tests: answers one INVITE
/// with 200 OK and an SDP answer from <paramref name="answer"/>, notes the ACK, answers BYE. The
/// real SIP stack lives in OpenSma.Sip; this keeps the media tests independent of it.
/// </summary>
internal sealed class MiniSipUas(Func<string, string?> answer) : IDisposable
{
    private readonly Socket _socket = CreateSocket();
    private readonly CancellationTokenSource _stop = new();
    private string? _lastOk;

    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    public TaskCompletionSource<string> InviteOffer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Acked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Bye { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Start() => _ = LoopAsync();

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _stop.Dispose();
    }

    private static Socket CreateSocket()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private async Task LoopAsync()
    {
        var buffer = new byte[65535];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var text = Encoding.UTF8.GetString(buffer, 0, received.ReceivedBytes);
            var reply = Handle(text);
            if (reply is not null)
            {
                await _socket.SendToAsync(Encoding.UTF8.GetBytes(reply), SocketFlags.None, received.RemoteEndPoint);
            }
        }
    }

    private string? Handle(string message)
    {
        var split = message.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = split < 0 ? message : message[..split];
        var body = split < 0 ? string.Empty : message[(split + 4)..];
        var lines = head.Split("\r\n");
        var method = lines[0].Split(' ')[0];
        if (lines[0].StartsWith("SIP/2.0", StringComparison.Ordinal))
        {
            return null; // a response to nothing we sent
        }

        switch (method)
        {
            case "INVITE":
                if (_lastOk is not null)
                {
                    return _lastOk; // retransmission
                }

                var sdp = answer(body);
                InviteOffer.TrySetResult(body);
                if (sdp is null)
                {
                    return Response(lines, "488 Not Acceptable Here", null);
                }

                _lastOk = Response(lines, "200 OK", sdp);
                return _lastOk;
            case "ACK":
                Acked.TrySetResult();
                return null;
            case "BYE":
                Bye.TrySetResult();
                return Response(lines, "200 OK", null);
            default:
                return Response(lines, "200 OK", null);
        }
    }

    private string Response(string[] request, string status, string? sdp)
    {
        var response = new StringBuilder($"SIP/2.0 {status}\r\n");
        foreach (var line in request.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon].Trim().ToLowerInvariant();
            if (name is "via" or "v" or "from" or "f" or "call-id" or "i" or "cseq")
            {
                response.Append(line).Append("\r\n");
            }
            else if (name is "to" or "t")
            {
                response.Append(line.Contains(";tag=", StringComparison.Ordinal) ? line : line + ";tag=harness1").Append("\r\n");
            }
        }

        response.Append($"Contact: <sip:harness@127.0.0.1:{Port}>\r\n");
        if (sdp is not null)
        {
            response.Append("Content-Type: application/sdp\r\n");
        }

        response.Append($"Content-Length: {Encoding.UTF8.GetByteCount(sdp ?? string.Empty)}\r\n\r\n").Append(sdp);
        return response.ToString();
    }
}
