using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenSma.Sip.Auth;
using OpenSma.Sip.Core;
using OpenSma.Sip.Dialogs;
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
    private bool _started;

    /// <param name="transports">Transports to use instead of the sockets named in the options (tests pass an in-memory one).</param>
    public SipEndpoint(SipEndpointOptions? options = null, TimeProvider? time = null, ILoggerFactory? loggerFactory = null, IEnumerable<ISipTransport>? transports = null)
    {
        _options = options ?? new SipEndpointOptions();
        _loggers = loggerFactory ?? NullLoggerFactory.Instance;
        time ??= TimeProvider.System;
        _core = new SipCore(time, _options.Timers, _loggers.CreateLogger("OpenSma.Sip"), _options.UserAgent) { AdvertisedHost = _options.AdvertisedHost };
        Registrar = _options.RegistrarEnabled ? new SipRegistrar(time, _options.Registrar) : null;
        var users = _options.Users;
        var authenticator = users is null ? null : new SipDigestServer(_options.Realm, u => users.TryGetValue(u, out var p) ? p : null, time)
        {
            Algorithms = _options.DigestAlgorithms,
        };
        var dns = _options.DnsResolver ?? new UdpDnsResolver(_options.DnsServers, time);
        _ua = new SipUserAgent(_core, Registrar, authenticator)
        {
            AuthenticateInvites = _options.AuthenticateInvites,
            SessionExpiresSeconds = _options.SessionExpiresSeconds,
            Locator = new SipServerLocator(dns, _core.FindTransport),
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
                _transports.Add(new TcpSipTransport(ep, _options.Limits, logger));
            }

            if (_options.Tls is { } tls)
            {
                foreach (var ep in _options.TlsEndPoints)
                {
                    _transports.Add(new TcpSipTransport(ep, _options.Limits, logger, tls));
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

            return new SipEndpointStatistics(clients, servers, dialogs, Registrar?.BindingCount ?? 0);
        }
    }

    internal SipCore Core => _core;

    internal SipUserAgent UserAgent => _ua;
}
