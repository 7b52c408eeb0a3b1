namespace OpenSma.Sip;

/// <summary>
/// A snapshot of what the SIP stack holds right now, for metrics: live client and server
/// transactions (including those lingering to absorb retransmissions), live dialogs (early and
/// confirmed) and unexpired registrar bindings (0 with the registrar off). The connection figures
/// add up every TCP and TLS listener: open connections now, and since start the inbound ones
/// refused at accept over a cap, those closed for idleness and those closed because the peer
/// stopped reading what was sent.
/// </summary>
public readonly record struct SipEndpointStatistics(int ClientTransactions, int ServerTransactions, int Dialogs, int RegistrarBindings)
{
    /// <summary>Open TCP and TLS connections, inbound and outbound.</summary>
    public int Connections { get; init; }

    /// <summary>Inbound connections closed at accept because the listener's total cap was reached.</summary>
    public long ConnectionsRefusedOverTotalCap { get; init; }

    /// <summary>Inbound connections closed at accept because their remote address had its cap.</summary>
    public long ConnectionsRefusedOverAddressCap { get; init; }

    /// <summary>Connections closed after <see cref="Transports.SipConnectionOptions.IdleTimeout"/> without traffic or use.</summary>
    public long IdleConnectionsClosed { get; init; }

    /// <summary>Connections closed because more than <see cref="Transports.SipConnectionOptions.MaxQueuedSendBytes"/> waited to be sent.</summary>
    public long SendQueueOverflows { get; init; }
}
