namespace OpenSma.Sip;

/// <summary>
/// A snapshot of what the SIP stack holds right now, for metrics: live client and server
/// transactions (including those lingering to absorb retransmissions), live dialogs (early and
/// confirmed) and unexpired registrar bindings (0 with the registrar off).
/// </summary>
public readonly record struct SipEndpointStatistics(int ClientTransactions, int ServerTransactions, int Dialogs, int RegistrarBindings);
