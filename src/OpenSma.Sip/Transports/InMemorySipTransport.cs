using System.Collections.Concurrent;
using System.Net;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Parsing;

namespace OpenSma.Sip.Transports;

/// <summary>
/// A transport without sockets: what the stack sends is recorded, and tests inject what a peer
/// would send. Bytes go through the real parser and writer, so framing is exercised too.
/// </summary>
public sealed class InMemorySipTransport : ISipTransport
{
    private readonly SipMessageParser _parser = new();
    private readonly ConcurrentQueue<(SipMessage Message, IPEndPoint Remote)> _sent = new();
    private ISipMessageSink? _sink;

    public InMemorySipTransport(IPEndPoint? local = null, string protocol = "UDP")
    {
        LocalEndPoint = local ?? new IPEndPoint(IPAddress.Loopback, 5060);
        Protocol = protocol;
    }

    public string Protocol { get; }

    public bool IsReliable => Protocol != "UDP";

    public IPEndPoint LocalEndPoint { get; }

    public Task StartAsync(ISipMessageSink sink, CancellationToken cancellationToken)
    {
        _sink = sink;
        return Task.CompletedTask;
    }

    public void Send(ReadOnlyMemory<byte> data, IPEndPoint remote)
    {
        var result = _parser.ParseDatagram(data.Span);
        if (result.Message is null)
        {
            throw new InvalidOperationException("The stack sent bytes that do not parse: " + result.Error);
        }

        _sent.Enqueue((result.Message, remote));
    }

    /// <summary>Delivers bytes as if <paramref name="from"/> had sent them.</summary>
    public void Receive(ReadOnlySpan<byte> data, IPEndPoint from)
    {
        var sink = _sink ?? throw new InvalidOperationException("Transport not started.");
        var result = _parser.ParseDatagram(data);
        var remote = new SipRemote(this, from);
        if (result.IsComplete)
        {
            sink.OnMessage(new SipInbound(result.Message!, remote));
        }
        else
        {
            sink.OnParseFailure(result, remote);
        }
    }

    public void Receive(SipMessage message, IPEndPoint from) => Receive(SipMessageWriter.ToBytes(message), from);

    /// <summary>Takes every message sent so far, oldest first.</summary>
    public List<(SipMessage Message, IPEndPoint Remote)> TakeSent()
    {
        var list = new List<(SipMessage, IPEndPoint)>();
        while (_sent.TryDequeue(out var item))
        {
            list.Add(item);
        }

        return list;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
