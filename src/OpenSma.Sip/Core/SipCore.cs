using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Parsing;
using OpenSma.Sip.Transactions;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip.Core;

/// <summary>
/// The hub between transports, the transaction layer and the transaction user. Every inbound
/// message and every timer runs under one gate, so state above it needs no other locking.
/// </summary>
internal sealed class SipCore : ISipMessageSink
{
    /// <summary>RFC 3261 §18.1.1: requests within 200 bytes of a 1500-byte MTU go over a congestion-controlled transport.</summary>
    public const int UdpSizeThreshold = 1300;

    private readonly List<ISipTransport> _transports = [];
    private readonly ILogger _logger;

    public SipCore(TimeProvider time, SipTimerSettings timers, ILogger logger, string userAgent = "OpenSMA")
    {
        Time = time;
        _logger = logger;
        UserAgent = userAgent;
        Transactions = new SipTransactionLayer(time, timers, Gate, logger);
    }

    public Lock Gate { get; } = new();

    public TimeProvider Time { get; }

    public SipTransactionLayer Transactions { get; }

    public string UserAgent { get; }

    public ISipRequestHandler? Handler { get; set; }

    /// <summary>Host written into Via and Contact when a transport listens on a wildcard address.</summary>
    public string? AdvertisedHost { get; set; }

    public IReadOnlyList<ISipTransport> Transports => _transports;

    private static readonly Lazy<string> PrimaryAddress = new(FindPrimaryAddress);

    private static string FindPrimaryAddress()
    {
        try
        {
            foreach (var nic in System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces())
            {
                if (nic.OperationalStatus != System.Net.NetworkInformation.OperationalStatus.Up
                    || nic.NetworkInterfaceType == System.Net.NetworkInformation.NetworkInterfaceType.Loopback)
                {
                    continue;
                }

                foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    if (unicast.Address.AddressFamily == AddressFamily.InterNetwork)
                    {
                        return unicast.Address.ToString();
                    }
                }
            }
        }
        catch (System.Net.NetworkInformation.NetworkInformationException)
        {
        }

        return "127.0.0.1";
    }

    public void AddTransport(ISipTransport transport) => _transports.Add(transport);

    public void OnMessage(SipInbound inbound)
    {
        lock (Gate)
        {
            try
            {
                switch (inbound.Message)
                {
                    case SipRequest request:
                        HandleRequest(request, inbound.Remote);
                        break;
                    case SipResponse response:
                        HandleResponse(response, inbound.Remote);
                        break;
                }
            }
            catch (Exception ex)
            {
                // A bug in one request's handling must not take the transport loop down.
                SipCoreLog.HandlerFailed(_logger, ex, inbound.Message.ToString() ?? string.Empty);
            }
        }
    }

    public void OnParseFailure(SipParseResult result, SipRemote remote)
    {
        if (result.ErrorStatusCode == 0)
        {
            return;
        }

        SipCoreLog.BadMessage(_logger, remote.ToString(), result.ErrorStatusCode, result.Error);

        // Faulty responses are dropped; faulty requests are answered when a Via says where to.
        if (result.Message is SipRequest request && !request.IsAck && request.TopVia is not null)
        {
            lock (Gate)
            {
                SipResponseRouting.StampTopVia(request, remote.EndPoint);
                var response = SipResponses.Create(request, result.ErrorStatusCode, ReasonFor(result));
                SendStateless(response, request, remote);
            }
        }
    }

    public void OnSendFailed(SipRemote remote)
    {
        lock (Gate)
        {
            try
            {
                Transactions.FailClientsTo(remote);
            }
            catch (Exception ex)
            {
                SipCoreLog.HandlerFailed(_logger, ex, "transport error towards " + remote);
            }
        }
    }

    /// <summary>The registrar whose bindings keep their flows open; set by the endpoint.</summary>
    public Registrar.SipRegistrar? Registrar { get; set; }

    public void CollectFlowsInUse(ISipTransport transport, ISet<IPEndPoint> flows)
    {
        lock (Gate)
        {
            Transactions.CollectRemotes(transport, flows);
            Handler?.CollectFlowsInUse(transport, flows);
        }

        Registrar?.CollectSources(transport.Protocol, flows);
    }

    private static string ReasonFor(SipParseResult result) =>
        result.ErrorStatusCode == 400 && result.Error is { } error ? "Bad Request (" + error + ")" : SipReasonPhrases.For(result.ErrorStatusCode);

    private void HandleRequest(SipRequest request, SipRemote source)
    {
        SipResponseRouting.StampTopVia(request, source.EndPoint);
        var existing = Transactions.MatchServer(request);
        if (existing is not null)
        {
            existing.OnRetransmission(request);
            return;
        }

        if (request.IsAck)
        {
            Handler?.OnRequest(request, null, source);
            return;
        }

        var responseTarget = SipResponseRouting.ResponseTarget(request, source);
        if (request.ToTag is null && SipPrechecks.Refusal(request) is { } refusal)
        {
            // Scheme and Require checks come first (RFC 3261 §8.2.2), even for OPTIONS.
            SendStateless(refusal, request, source);
            return;
        }

        if (request.Method == SipMethods.Options && request.ToTag is null)
        {
            // Health checks from load balancers: answered without keeping any state.
            SendStateless(OptionsResponse(request), request, source);
            return;
        }

        if (request.Method == SipMethods.Cancel)
        {
            HandleCancel(request, responseTarget);
            return;
        }

        if (Transactions.IsMerged(request))
        {
            // The same request reached us on two paths: answer the second copy 482 (§8.2.2.2)
            // through a transaction of its own, so its retransmissions and ACK are absorbed.
            var merged = Transactions.CreateServer(request, responseTarget);
            merged.Respond(SipResponses.Create(request, 482, toTag: SipRequests.NewToken(10)));
            return;
        }

        var tx = Transactions.CreateServer(request, responseTarget);
        if (request.IsInvite)
        {
            // RFC 3261 §17.2.1: a 100 right away stops INVITE retransmissions.
            tx.Respond(SipResponses.Create(request, 100));
        }

        if (Handler is null)
        {
            tx.Respond(SipResponses.Create(request, 503, toTag: SipRequests.NewToken(10)));
            return;
        }

        Handler.OnRequest(request, tx, source);
    }

    private void HandleCancel(SipRequest cancel, SipRemote responseTarget)
    {
        var cancelTx = Transactions.CreateServer(cancel, responseTarget);
        var invite = Transactions.FindInviteFor(cancel);
        if (invite is null)
        {
            cancelTx.Respond(SipResponses.Create(cancel, 481));
            return;
        }

        cancelTx.Respond(SipResponses.Create(cancel, 200));
        Handler?.OnCancel(invite);
    }

    private SipResponse OptionsResponse(SipRequest request)
    {
        var response = SipResponses.Create(request, 200, toTag: SipRequests.NewToken(10));
        response.Headers.Add(SipHeaderNames.Allow, SipCapabilities.Allow);
        response.Headers.Add(SipHeaderNames.Accept, "application/sdp");
        response.Headers.Add(SipHeaderNames.Supported, SipCapabilities.Supported);
        response.Headers.Add(SipHeaderNames.Server, UserAgent);
        return response;
    }

    private void HandleResponse(SipResponse response, SipRemote source)
    {
        if (Transactions.TryHandleResponse(response))
        {
            return;
        }

        if (Handler is not null && response.IsSuccess && response.CSeq?.Method == SipMethods.Invite)
        {
            Handler.OnStrayResponse(response, source);
            return;
        }

        SipCoreLog.StrayResponse(_logger, source.ToString(), response.ToString());
    }

    /// <summary>Sends a response without a transaction, routed per RFC 3261 §18.2.2.</summary>
    public void SendStateless(SipResponse response, SipRequest request, SipRemote source) =>
        Transactions.Send(response, SipResponseRouting.ResponseTarget(request, source));

    /// <summary>Sends a request in a new client transaction to the next hop's address (null: no route).</summary>
    public ClientTransaction? SendRequest(SipRequest request, SipUri nextHop, Action<ClientTransaction, SipResponse> onResponse, string? preferredProtocol = null)
    {
        var target = Route(nextHop, preferredProtocol);
        return target is null ? null : SendRequest(request, target, onResponse);
    }

    /// <summary>Sends a request in a new client transaction over a known flow (such as the TCP connection a dialog uses).</summary>
    public ClientTransaction SendRequest(SipRequest request, SipRemote target, Action<ClientTransaction, SipResponse> onResponse)
    {
        target = AddVia(request, target);
        return Transactions.StartClient(request, target, onResponse);
    }

    /// <summary>Sends a request that already carries its Via (CANCEL reuses the INVITE's branch) over the INVITE's flow.</summary>
    public ClientTransaction SendWithExistingVia(SipRequest request, SipRemote target, Action<ClientTransaction, SipResponse> onResponse) =>
        Transactions.StartClient(request, target, onResponse);

    /// <summary>Sends an ACK for a 2xx: outside any transaction, with its own branch (RFC 3261 §13.2.2.4).</summary>
    public void SendAck(SipRequest ack, SipRemote target) => Transactions.Send(ack, AddVia(ack, target));

    /// <summary>
    /// Sends again an ACK rebuilt with the Via it first went with: over that Via's transport (an ACK
    /// moved to TCP for its size, §18.1.1, stays on TCP) to the target's address.
    /// </summary>
    public void ResendAck(SipRequest ack, SipRemote target)
    {
        if (ack.SharedTopVia is { } via && !string.Equals(via.Transport, target.Transport.Protocol, StringComparison.OrdinalIgnoreCase)
            && FindTransport(via.Transport, target.EndPoint.AddressFamily) is { } transport)
        {
            target = new SipRemote(transport, target.EndPoint);
        }

        Transactions.Send(ack, target);
    }

    /// <summary>Picks transport and address for a next-hop URI (RFC 3263 without NAPTR/SRV: transport param, then scheme).</summary>
    public SipRemote? Route(SipUri nextHop, string? preferredProtocol = null)
    {
        var endPoint = Resolve(nextHop);
        var wanted = nextHop.Transport?.ToUpperInvariant() ?? preferredProtocol ?? (nextHop.Scheme == "sips" ? "TLS" : "UDP");
        if (endPoint is null || FindTransport(wanted, endPoint.AddressFamily) is not { } transport)
        {
            SipCoreLog.NoRoute(_logger, nextHop.ToString());
            return null;
        }

        return new SipRemote(transport, endPoint);
    }

    private SipRemote AddVia(SipRequest request, SipRemote target)
    {
        var transport = target.Transport;
        request.Headers.AddFirst(SipHeaderNames.Via, NewVia(transport).ToString());
        if (!request.Headers.Contains(SipHeaderNames.MaxForwards))
        {
            request.Headers.Add(SipHeaderNames.MaxForwards, "70");
        }

        if (!transport.IsReliable && SipMessageWriter.ToBytes(request).Length > UdpSizeThreshold
            && FindTransport("TCP", target.EndPoint.AddressFamily) is { } tcp)
        {
            // RFC 3261 §18.1.1: too large for UDP, so the same request goes over TCP.
            request.Headers.ReplaceFirst(SipHeaderNames.Via, NewVia(tcp).ToString());
            return new SipRemote(tcp, target.EndPoint);
        }

        return target;
    }

    private SipVia NewVia(ISipTransport transport)
    {
        var via = new SipVia(transport.Protocol, HostFor(transport), transport.LocalEndPoint.Port, SipRequests.NewBranch());
        via.Parameters.Set("rport", null);
        return via;
    }

    /// <summary>The host to advertise for a transport: the configured one, else its bound address.</summary>
    public string HostFor(ISipTransport transport)
    {
        if (AdvertisedHost is { } host)
        {
            return host;
        }

        var address = transport.LocalEndPoint.Address;
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            // A wildcard bind says nothing about which address peers reach: use this host's primary one.
            return PrimaryAddress.Value;
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + address + "]" : address.ToString();
    }

    public ISipTransport? FindTransport(string protocol, AddressFamily family)
    {
        ISipTransport? fallback = null;
        foreach (var t in _transports)
        {
            if (!string.Equals(t.Protocol, protocol, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (t.LocalEndPoint.AddressFamily == family || (family == AddressFamily.InterNetwork && t.LocalEndPoint.Address.Equals(IPAddress.IPv6Any)))
            {
                return t;
            }

            fallback ??= t;
        }

        return fallback;
    }

    /// <summary>Resolves a URI's host and port (IP literals directly; names through DNS A/AAAA).</summary>
    public static IPEndPoint? Resolve(SipUri uri)
    {
        var port = uri.Port ?? (uri.Scheme == "sips" ? 5061 : 5060);
        var host = uri.Host.Trim('[', ']');
        if (IPAddress.TryParse(host, out var address))
        {
            return new IPEndPoint(address, port);
        }

        try
        {
            var addresses = Dns.GetHostAddresses(host);
            return addresses.Length == 0 ? null : new IPEndPoint(addresses[0], port);
        }
        catch (SocketException)
        {
            return null;
        }
    }

    internal static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);
}
