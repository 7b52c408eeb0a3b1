using System.Collections.Concurrent;
using System.Net;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Parsing;
using OpenSma.Sip.Transports;

namespace OpenSma.Telephony.Phone;

/// <summary>
/// The phone's SIP transport: a wrapper around a real one (UDP, TCP) that lets the phone send its
/// own REGISTER requests on the same socket its SIP endpoint listens on and takes their responses
/// off the stream before the endpoint sees them. A registration must leave from the socket that
/// later receives calls, since registrars send calls to where the REGISTER came from (NAT); the
/// endpoint's public API carries only calls. Everything else passes straight through.
/// </summary>
public sealed class PhoneTransport(ISipTransport inner) : ISipTransport, ISipMessageSink
{
    private readonly ConcurrentDictionary<string, Action<SipResponse>> _waiting = new(StringComparer.Ordinal);
    private ISipMessageSink? _sink;

    public string Protocol => inner.Protocol;

    public bool IsReliable => inner.IsReliable;

    public IPEndPoint LocalEndPoint => inner.LocalEndPoint;

    public Task StartAsync(ISipMessageSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        _sink = sink;
        return inner.StartAsync(this, cancellationToken);
    }

    public void Send(ReadOnlyMemory<byte> data, IPEndPoint remote) => inner.Send(data, remote);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    void ISipMessageSink.OnMessage(SipInbound inbound)
    {
        if (inbound.Message is SipResponse response && response.CSeq?.Method == SipMethods.Register
            && response.TopVia?.Branch is { } branch && _waiting.TryGetValue(branch, out var deliver))
        {
            deliver(response);
            return;
        }

        // The endpoint answers through the transport a message came on: make that this wrapper.
        _sink?.OnMessage(inbound with { Remote = new SipRemote(this, inbound.Remote.EndPoint) });
    }

    void ISipMessageSink.OnParseFailure(SipParseResult result, SipRemote remote) =>
        _sink?.OnParseFailure(result, new SipRemote(this, remote.EndPoint));

    void ISipMessageSink.OnSendFailed(SipRemote remote) => _sink?.OnSendFailed(new SipRemote(this, remote.EndPoint));

    // The stack knows its transactions and dialogs by this wrapper, not by the inner transport.
    void ISipMessageSink.CollectFlowsInUse(ISipTransport transport, ISet<IPEndPoint> flows) => _sink?.CollectFlowsInUse(this, flows);

    /// <summary>Routes responses whose top Via carries <paramref name="branch"/> to <paramref name="deliver"/> until disposed.</summary>
    internal IDisposable Expect(string branch, Action<SipResponse> deliver)
    {
        _waiting[branch] = deliver;
        return new Expectation(_waiting, branch);
    }

    private sealed class Expectation(ConcurrentDictionary<string, Action<SipResponse>> waiting, string branch) : IDisposable
    {
        public void Dispose() => waiting.TryRemove(branch, out _);
    }
}
