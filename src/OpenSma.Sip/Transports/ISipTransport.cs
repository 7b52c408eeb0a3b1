using System.Net;

namespace OpenSma.Sip.Transports;

/// <summary>
/// One listening transport (UDP, TCP, in-memory). It frames and parses what it receives, hands
/// messages to the sink and never lets bad input or a socket error escape.
/// </summary>
public interface ISipTransport : IAsyncDisposable
{
    /// <summary>Via transport token: UDP, TCP, TLS.</summary>
    string Protocol { get; }

    /// <summary>True for stream transports: no retransmissions of requests (RFC 3261 §17.1.1.2).</summary>
    bool IsReliable { get; }

    IPEndPoint LocalEndPoint { get; }

    Task StartAsync(ISipMessageSink sink, CancellationToken cancellationToken);

    /// <summary>Queues bytes for <paramref name="remote"/>; failures are logged, not thrown.</summary>
    void Send(ReadOnlyMemory<byte> data, IPEndPoint remote);
}
