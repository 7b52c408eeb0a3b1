namespace OpenSma.Sip.Transports;

/// <summary>
/// Bounds on SIP connections (TCP and TLS) that keep a peer, or many of them, from holding
/// sockets and memory without end. Parser limits (<see cref="Parsing.SipParserLimits"/>) bound
/// what one incomplete message may buffer; these bound the connections themselves.
/// </summary>
public sealed record SipConnectionOptions
{
    /// <summary>
    /// A connection that has carried no bytes either way for this long, and that no transaction,
    /// dialog or registrar binding uses, is closed (RFC 3261 §18: the transport may close a
    /// connection it no longer needs; the peer opens a new one when it has something to send).
    /// Null keeps idle connections open.
    /// </summary>
    public TimeSpan? IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Most inbound connections open at once on one listener; past it a new one is closed at accept.</summary>
    public int MaxInboundConnections { get; init; } = 10_000;

    /// <summary>Most inbound connections open at once from one remote IP address; past it a new one is closed at accept.</summary>
    public int MaxInboundConnectionsPerAddress { get; init; } = 100;

    /// <summary>
    /// Most bytes queued for sending on one connection (a peer that stops reading); past it the
    /// connection is closed rather than letting the queue grow.
    /// </summary>
    public int MaxQueuedSendBytes { get; init; } = 1 << 20;

    public static SipConnectionOptions Default { get; } = new();
}
