using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenSma.Sip.Auth;
using OpenSma.Sip.Core;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Registrar;
using OpenSma.Sip.Resolution;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip;

/// <summary>
/// The SIP stack as the host starts it: listens on UDP and TCP, answers OPTIONS, runs the
/// registrar, and hands incoming calls to the attached application (404 while none is attached).
/// </summary>
public sealed class SipEndpoint : IAsyncDisposable
{
    private readonly SipEndpointOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly SipCore _core;
    private readonly SipUserAgent _ua;
    private readonly List<ISipTransport> _transports = [];
    private readonly IReadOnlyList<ISipTransport>? _givenTransports;
    private readonly TimeProvider _time;
    private readonly SipServerLocator _locator;
    private bool _started;

    /// <param name="transports">Transports to use instead of the sockets named in the options (tests pass an in-memory one).</param>
    public SipEndpoint(SipEndpointOptions? options = null, TimeProvider? time = null, ILoggerFactory? loggerFactory = null, IEnumerable<ISipTransport>? transports = null)
    {
        _options = options ?? new SipEndpointOptions();
        _loggers = loggerFactory ?? NullLoggerFactory.Instance;
        time ??= TimeProvider.System;
        _time = time;
        _core = new SipCore(time, _options.Timers, _loggers.CreateLogger("OpenSma.Sip"), _options.UserAgent) { AdvertisedHost = _options.AdvertisedHost };
        Registrar = _options.RegistrarEnabled ? new SipRegistrar(time, _options.Registrar) : null;
        _core.Registrar = Registrar;
        var users = _options.Users;
        var authenticator = users is null ? null : new SipDigestServer(_options.Realm, u => users.TryGetValue(u, out var p) ? p : null, time)
        {
            Algorithms = _options.DigestAlgorithms,
            RequireMatchingUri = _options.DigestRequireMatchingUri,
        };
        var dns = _options.DnsResolver ?? new UdpDnsResolver(_options.DnsServers, time);
        _locator = new SipServerLocator(dns, _core.FindTransport);
        _ua = new SipUserAgent(_core, Registrar, authenticator)
        {
            AuthenticateInvites = _options.AuthenticateInvites,
            SessionExpiresSeconds = _options.SessionExpiresSeconds,
            Locator = _locator,
        };
        _givenTransports = transports?.ToList();
    }

    /// <summary>The location service fed by REGISTER; null when disabled.</summary>
    public SipRegistrar? Registrar { get; }

    public IReadOnlyList<ISipTransport> Transports => _transports;

    /// <summary>
    /// The application: called (under the stack's gate, so return quickly) with each new incoming
    /// call as an early dialog to ring, answer or reject. Null answers every INVITE 404.
    /// </summary>
    public Action<SipDialog>? IncomingCall
    {
        get => _ua.IncomingCall;
        set => _ua.IncomingCall = value;
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        if (_givenTransports is not null)
        {
            _transports.AddRange(_givenTransports);
        }
        else
        {
            var logger = _loggers.CreateLogger("OpenSma.Sip.Transports");
            foreach (var ep in _options.UdpEndPoints)
            {
                _transports.Add(new UdpSipTransport(ep, _options.Limits, logger));
            }

            foreach (var ep in _options.TcpEndPoints)
            {
                _transports.Add(new TcpSipTransport(ep, _options.Limits, logger, connections: _options.Connections, time: _time));
            }

            if (_options.Tls is { } tls)
            {
                foreach (var ep in _options.TlsEndPoints)
                {
                    _transports.Add(new TcpSipTransport(ep, _options.Limits, logger, tls, _options.Connections, _time));
                }
            }
        }

        foreach (var transport in _transports)
        {
            _core.AddTransport(transport);
            await transport.StartAsync(_core, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Places an outgoing call; cancelling the token before the answer sends CANCEL.</summary>
    public Task<SipInviteResult> InviteAsync(SipInviteOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return _started ? _ua.InviteAsync(options, cancellationToken) : throw new InvalidOperationException("Start the endpoint first.");
    }

    /// <summary>
    /// Sends a request outside any dialog (OPTIONS, MESSAGE, NOTIFY, REGISTER as a client, ...) in a
    /// non-INVITE client transaction and returns its final response. The next hop is
    /// <paramref name="nextHop"/> (an outbound proxy) or else the Request-URI, located by RFC 3263
    /// as calls are; a transport error, a timeout (a locally made 408) or a 503 before any
    /// provisional moves on to the next address found. With <paramref name="credentials"/>, one 401
    /// or 407 is answered with digest (RFC 3261 §22.2) and the request resent with CSeq + 1.
    /// </summary>
    /// <param name="request">
    /// Request-URI, From and To set; no Via (the stack adds its own). A missing Call-ID, From tag,
    /// CSeq or Max-Forwards is filled in. The request is not changed; copies are sent.
    /// </param>
    /// <returns>
    /// The final response: the peer's, or one made here: 408 when no response came within Timer F,
    /// 503 when no address could be reached or none was found.
    /// </returns>
    /// <remarks>Cancelling stops the wait (the call throws); a non-INVITE request cannot be withdrawn, so its transaction runs on to its end.</remarks>
    public async Task<SipResponse> SendRequestAsync(SipRequest request, SipCredentials? credentials = null, SipUri? nextHop = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_started)
        {
            throw new InvalidOperationException("Start the endpoint first.");
        }

        var outgoing = PrepareOutOfDialog(request);
        var hop = nextHop ?? outgoing.RequestUri;
        var targets = await _locator.LocateAsync(hop, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (targets.Count == 0)
        {
            return SipResponses.Create(outgoing, 503, "No Route To Destination");
        }

        var answeredChallenge = false;
        var index = 0;
        while (true)
        {
            var (response, provisionalSeen, failedLocally) = await ExchangeAsync(outgoing, targets[index], cancellationToken).ConfigureAwait(false);
            if (!provisionalSeen && index + 1 < targets.Count && (response.StatusCode == 503 || failedLocally))
            {
                // RFC 3263 §4.3: this server is down or busy; the same request goes to the next one.
                index++;
                continue;
            }

            if (response.StatusCode is 401 or 407 && !answeredChallenge && credentials is not null
                && SipDigestClient.Authorize(outgoing, response, credentials) is { } authorized)
            {
                answeredChallenge = true;
                outgoing = authorized;
                continue;
            }

            return response;
        }
    }

    /// <summary>A copy of an out-of-dialog request with the headers every request needs (RFC 3261 §8.1.1).</summary>
    private static SipRequest PrepareOutOfDialog(SipRequest request)
    {
        if (request.Method is SipMethods.Invite or SipMethods.Ack or SipMethods.Cancel)
        {
            throw new ArgumentException($"{request.Method} is not sent this way: use InviteAsync, or the dialog.", nameof(request));
        }

        if (request.Headers.Contains(SipHeaderNames.Via))
        {
            throw new ArgumentException("The request must not carry a Via: the stack adds its own.", nameof(request));
        }

        if (request.From is not { } from || request.To is null)
        {
            throw new ArgumentException("The request needs From and To.", nameof(request));
        }

        var outgoing = request.Clone();
        if (from.Tag is null)
        {
            outgoing.Headers.Set(SipHeaderNames.From, from.WithTag(SipRequests.NewToken(10)).ToString());
        }

        if (outgoing.CallId is null)
        {
            outgoing.Headers.Set(SipHeaderNames.CallId, SipRequests.NewToken(20));
        }

        if (outgoing.CSeq is not { } cseq)
        {
            outgoing.Headers.Set(SipHeaderNames.CSeq, new SipCSeq(1, outgoing.Method).ToString());
        }
        else if (!string.Equals(cseq.Method, outgoing.Method, StringComparison.Ordinal))
        {
            throw new ArgumentException($"CSeq method {cseq.Method} does not match {outgoing.Method}.", nameof(request));
        }

        return outgoing;
    }

    /// <summary>One client transaction for a copy of <paramref name="request"/> towards <paramref name="target"/>.</summary>
    private async Task<(SipResponse Response, bool ProvisionalSeen, bool FailedLocally)> ExchangeAsync(SipRequest request, SipRemote target, CancellationToken cancellationToken)
    {
        var final = new TaskCompletionSource<(SipResponse, bool, bool)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var provisionalSeen = false;
        lock (_core.Gate)
        {
            _core.SendRequest(request.Clone(), target, (tx, response) =>
            {
                if (response.IsFinal)
                {
                    final.TrySetResult((response, provisionalSeen, tx.FailedLocally));
                }
                else
                {
                    provisionalSeen = true;
                }
            });
        }

        using var registration = cancellationToken.Register(() => final.TrySetCanceled(cancellationToken));
        return await final.Task.ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        foreach (var transport in _transports)
        {
            await transport.DisposeAsync().ConfigureAwait(false);
        }

        _transports.Clear();
        _started = false;
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    /// <summary>
    /// The dialog a Replaces header names (RFC 3891): its to-tag is our local tag, its from-tag the
    /// peer's. Null when no such dialog exists, or when early-only was asked and it is confirmed.
    /// </summary>
    public SipDialog? FindDialog(SipReplaces replaces)
    {
        ArgumentNullException.ThrowIfNull(replaces);
        lock (_core.Gate)
        {
            var dialog = _ua.FindDialog(replaces.CallId, replaces.ToTag, replaces.FromTag);
            return dialog is null || (replaces.EarlyOnly && dialog.State != SipDialogState.Early) ? null : dialog;
        }
    }

    /// <summary>
    /// Live transactions, dialogs and registrar bindings. Cheap: three counts read under the stack's
    /// gate plus one pass over the registrar's users; meant for a metrics scrape, not a per-packet path.
    /// </summary>
    public SipEndpointStatistics Statistics
    {
        get
        {
            int clients, servers, dialogs;
            lock (_core.Gate)
            {
                clients = _core.Transactions.ClientCount;
                servers = _core.Transactions.ServerCount;
                dialogs = _ua.DialogCount;
            }

            var connections = default(Transports.SipConnectionStatistics);
            foreach (var tcp in _transports.ToArray().OfType<TcpSipTransport>())
            {
                var s = tcp.Statistics;
                connections = new(connections.Open + s.Open, connections.Inbound + s.Inbound, connections.RefusedOverTotalCap + s.RefusedOverTotalCap,
                    connections.RefusedOverAddressCap + s.RefusedOverAddressCap, connections.IdleClosed + s.IdleClosed, connections.SendQueueOverflows + s.SendQueueOverflows);
            }

            return new SipEndpointStatistics(clients, servers, dialogs, Registrar?.BindingCount ?? 0)
            {
                Connections = connections.Open,
                ConnectionsRefusedOverTotalCap = connections.RefusedOverTotalCap,
                ConnectionsRefusedOverAddressCap = connections.RefusedOverAddressCap,
                IdleConnectionsClosed = connections.IdleClosed,
                SendQueueOverflows = connections.SendQueueOverflows,
            };
        }
    }

    internal SipCore Core => _core;

    internal SipUserAgent UserAgent => _ua;
}
