using Microsoft.Extensions.Logging;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Parsing;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip.Transactions;

/// <summary>
/// The transaction table (RFC 3261 §17): creates, matches and retires client and server
/// transactions. Every entry point runs under <see cref="Gate"/>, which timers also take.
/// </summary>
public sealed class SipTransactionLayer
{
    private readonly Dictionary<string, ClientTransaction> _clients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ServerTransaction> _servers = new(StringComparer.Ordinal);

    // Server transactions of requests without a To tag, by Call-ID, From and CSeq: a second
    // copy of such a request on another branch (a fork that reached us twice) is a merged request.
    private readonly Dictionary<(string CallId, string From, long CSeq, string Method), ServerTransaction> _byOrigin = [];
    private readonly ILogger _logger;

    internal SipTransactionLayer(TimeProvider time, SipTimerSettings timers, Lock gate, ILogger logger)
    {
        Time = time;
        Timers = timers;
        Gate = gate;
        _logger = logger;
    }

    internal TimeProvider Time { get; }

    internal SipTimerSettings Timers { get; }

    internal Lock Gate { get; }

    internal int ClientCount => _clients.Count;

    internal int ServerCount => _servers.Count;

    /// <summary>Starts a client transaction; the request must already carry its top Via with a fresh branch.</summary>
    internal ClientTransaction StartClient(SipRequest request, SipRemote target, Action<ClientTransaction, SipResponse> onResponse)
    {
        var key = SipTransactionKeys.ForClient(request) ?? throw new ArgumentException("Request lacks a Via branch or CSeq.", nameof(request));
        ClientTransaction tx = request.IsInvite
            ? new ClientInviteTransaction(this, key, request, target, onResponse)
            : new ClientNonInviteTransaction(this, key, request, target, onResponse);
        _clients[key] = tx;
        tx.Start();
        return tx;
    }

    /// <summary>Passes a response to its client transaction; false when none matches (a stray or a late 2xx).</summary>
    internal bool TryHandleResponse(SipResponse response)
    {
        if (SipTransactionKeys.ForClient(response) is { } key && _clients.TryGetValue(key, out var tx))
        {
            tx.OnResponse(response);
            return true;
        }

        return false;
    }

    /// <summary>Fails every client transaction waiting on a peer the transport could not reach.</summary>
    internal void FailClientsTo(SipRemote remote)
    {
        var endPoint = Normalize(remote.EndPoint);
        foreach (var tx in _clients.Values.Where(c => ReferenceEquals(c.Remote.Transport, remote.Transport) && Normalize(c.Remote.EndPoint).Equals(endPoint)).ToList())
        {
            tx.OnTransportError();
        }
    }

    /// <summary>Adds the peer address of every live transaction on <paramref name="transport"/>.</summary>
    internal void CollectRemotes(ISipTransport transport, ISet<System.Net.IPEndPoint> into)
    {
        foreach (var tx in _clients.Values)
        {
            if (ReferenceEquals(tx.Remote.Transport, transport))
            {
                into.Add(Normalize(tx.Remote.EndPoint));
            }
        }

        foreach (var tx in _servers.Values)
        {
            if (ReferenceEquals(tx.Remote.Transport, transport))
            {
                into.Add(Normalize(tx.Remote.EndPoint));
            }
        }
    }

    private static System.Net.IPEndPoint Normalize(System.Net.IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new System.Net.IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    /// <summary>
    /// Absorbs a retransmission (or an ACK for a non-2xx) into its server transaction. Returns the
    /// matching transaction, or null when the request is new.
    /// </summary>
    internal ServerTransaction? MatchServer(SipRequest request)
    {
        if (SipTransactionKeys.ForServer(request) is { } key && _servers.TryGetValue(key, out var tx))
        {
            return tx;
        }

        return null;
    }

    internal ServerTransaction CreateServer(SipRequest request, SipRemote remote)
    {
        var key = SipTransactionKeys.ForServer(request) ?? throw new ArgumentException("Request lacks Via or CSeq.", nameof(request));
        ServerTransaction tx = request.IsInvite
            ? new ServerInviteTransaction(this, key, request, remote)
            : new ServerNonInviteTransaction(this, key, request, remote);
        _servers[key] = tx;
        if (OriginKey(request) is { } origin && !IsMerged(origin))
        {
            _byOrigin[origin] = tx;
        }

        return tx;
    }

    /// <summary>
    /// RFC 3261 §8.2.2.2: a request without a To tag whose From tag, Call-ID and CSeq match an
    /// ongoing transaction that it does not itself match (another branch) is a merged request.
    /// A transaction that ended in a failure no longer counts, so a client that wrongly retries a
    /// challenged request with the same CSeq is still served.
    /// </summary>
    internal bool IsMerged(SipRequest request) => OriginKey(request) is { } origin && IsMerged(origin);

    private bool IsMerged((string, string, long, string) origin) =>
        _byOrigin.TryGetValue(origin, out var first) && first.LastResponse is not { IsFinal: true, IsSuccess: false };

    /// <summary>
    /// A tuple, not a string, and the From header as received rather than its parsed tag (copies of
    /// one request carry the same From text): no allocation per request for a check that almost never hits.
    /// </summary>
    private static (string CallId, string From, long CSeq, string Method)? OriginKey(SipRequest request) =>
        request.ToTag is null && request.Headers.Get(SipHeaderNames.From) is { } from && request.CallId is { } callId && request.CSeq is { } cseq
            ? (callId, from, cseq.Number, cseq.Method)
            : null;

    /// <summary>Finds the INVITE server transaction a CANCEL targets (RFC 3261 §9.2).</summary>
    internal ServerInviteTransaction? FindInviteFor(SipRequest cancel)
    {
        var key = SipTransactionKeys.ForServer(cancel);
        if (key is null)
        {
            return null;
        }

        var inviteKey = key[..key.LastIndexOf('|')] + "|" + SipMethods.Invite;
        return _servers.TryGetValue(inviteKey, out var tx) ? tx as ServerInviteTransaction : null;
    }

    internal void Remove(SipTransaction tx)
    {
        switch (tx)
        {
            case ClientTransaction when _clients.TryGetValue(tx.Key, out var c) && ReferenceEquals(c, tx):
                _clients.Remove(tx.Key);
                break;
            case ServerTransaction when _servers.TryGetValue(tx.Key, out var s) && ReferenceEquals(s, tx):
                _servers.Remove(tx.Key);
                if (OriginKey(tx.Request) is { } origin && _byOrigin.TryGetValue(origin, out var o) && ReferenceEquals(o, tx))
                {
                    _byOrigin.Remove(origin);
                }

                break;
        }
    }

    internal void Send(SipMessage message, SipRemote remote)
    {
        var bytes = SipMessageWriter.ToBytes(message);
        remote.Transport.Send(bytes, remote.EndPoint);
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            SipStackLog.Sent(_logger, remote.ToString(), message.ToString() ?? string.Empty);
        }
    }
}
