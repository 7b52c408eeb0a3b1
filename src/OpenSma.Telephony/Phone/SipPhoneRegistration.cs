using System.Globalization;
using OpenSma.Sip;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Transports;

namespace OpenSma.Telephony.Phone;

/// <summary>
/// A phone's binding at a registrar (RFC 3261 §10.2): REGISTER with digest answers to 401/407, the
/// granted expiry read from the 200, a refresh before it runs out (30 s before, or halfway for
/// short ones), and REGISTER with Expires: 0 on dispose. Refreshes run on the phone's clock; each
/// REGISTER is one <see cref="SipEndpoint.SendRequestAsync"/> exchange on the phone's own endpoint,
/// so it leaves from the socket that later receives calls (registrars send calls where the REGISTER
/// came from), and its retransmissions and timeout follow the endpoint's transaction timers.
/// </summary>
public sealed class SipPhoneRegistration : IAsyncDisposable
{
    private readonly SipEndpoint _sip;
    private readonly SipPhoneRegistrationOptions _options;
    private readonly TimeProvider _time;
    private readonly SipUri _aor;
    private readonly SipUri _contact;
    private readonly string _callId = SipRequests.NewToken(20);
    private readonly string _fromTag = SipRequests.NewToken(10);
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _exchange = new(1, 1);
    private long _cseq;
    private Task _refreshing = Task.CompletedTask;
    private int _disposed;

    internal SipPhoneRegistration(SipEndpoint sip, ISipTransport transport, SipPhoneRegistrationOptions options, string localHost, TimeProvider time)
    {
        _sip = sip;
        _options = options;
        _time = time;
        _aor = SipUri.Sip(options.User, options.Domain ?? options.Registrar.Host);
        _contact = SipUri.Sip(options.User, localHost, transport.LocalEndPoint.Port);
        if (!transport.Protocol.Equals("UDP", StringComparison.OrdinalIgnoreCase))
        {
            _contact.Parameters.Set("transport", transport.Protocol.ToLowerInvariant());
        }
    }

    /// <summary>True while the registrar holds a binding it granted us that has not run out.</summary>
    public bool IsRegistered => ExpiresAt is { } at && at > _time.GetUtcNow();

    /// <summary>When the current binding runs out (null: none).</summary>
    public DateTimeOffset? ExpiresAt { get; private set; }

    /// <summary>The final status of the latest REGISTER (408 for a timeout).</summary>
    public int LastStatusCode { get; private set; }

    /// <summary>How many REGISTER exchanges succeeded (the first and each refresh).</summary>
    public int Registrations { get; private set; }

    /// <summary>The Contact the registrar binds: this phone's own SIP socket.</summary>
    public SipUri Contact => _contact;

    /// <summary>Registers once; on success refreshes keep the binding alive until disposed.</summary>
    internal async Task StartAsync(CancellationToken cancellationToken)
    {
        var granted = await RegisterAsync(_options.Expires, cancellationToken).ConfigureAwait(false);
        if (granted is { } lifetime)
        {
            // The first wait is armed before this returns, so a test clock advanced right after sees it.
            _refreshing = RefreshLoopAsync(RefreshIn(lifetime));
        }
    }

    /// <summary>Stops refreshing and removes the binding (REGISTER with Expires: 0).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _refreshing.ConfigureAwait(false);
        if (ExpiresAt is not null)
        {
            try
            {
                await RegisterAsync(TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // The endpoint was stopped first: nothing can be sent; the binding runs out by itself.
            }
        }

        _stop.Dispose();
        _exchange.Dispose();
    }

    private static TimeSpan RefreshIn(TimeSpan granted) =>
        granted > TimeSpan.FromSeconds(60) ? granted - TimeSpan.FromSeconds(30) : granted / 2;

    private async Task RefreshLoopAsync(TimeSpan firstWait)
    {
        var wait = firstWait;
        try
        {
            while (true)
            {
                await Task.Delay(wait, _time, _stop.Token).ConfigureAwait(false);
                TimeSpan? granted;
                try
                {
                    granted = await RegisterAsync(_options.Expires, _stop.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A refresh that could not even be sent is a failed refresh; the loop lives on.
                    LastStatusCode = 500;
                    granted = null;
                }

                wait = granted is { } lifetime ? RefreshIn(lifetime) : _options.RetryAfterFailure;
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    /// <summary>One REGISTER (the endpoint answers one challenge) and one 423; returns the granted lifetime, or null when refused.</summary>
    private async Task<TimeSpan?> RegisterAsync(TimeSpan expires, CancellationToken cancellationToken)
    {
        await _exchange.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var request = Build(expires);
            var tooBrief = false;
            while (true)
            {
                // A timeout comes back as a local 408, an unreachable registrar as a local 503.
                var response = await _sip.SendRequestAsync(request, _options.Credentials, cancellationToken: cancellationToken).ConfigureAwait(false);
                LastStatusCode = response.StatusCode;
                if (response.CSeq is { } used && used.Number > _cseq)
                {
                    // The answer to a challenge went out with the next CSeq.
                    _cseq = used.Number;
                }

                if (response.StatusCode == 423 && !tooBrief && response.Headers.Get(SipHeaderNames.MinExpires) is { } min
                    && int.TryParse(min, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                {
                    // The registrar wants a longer binding; ask for its minimum (RFC 3261 §10.2.8).
                    tooBrief = true;
                    request = Build(TimeSpan.FromSeconds(seconds));
                    continue;
                }

                if (!response.IsSuccess)
                {
                    return null;
                }

                if (expires == TimeSpan.Zero)
                {
                    ExpiresAt = null;
                    return TimeSpan.Zero;
                }

                var granted = Granted(response, expires);
                ExpiresAt = _time.GetUtcNow() + granted;
                Registrations++;
                return granted;
            }
        }
        finally
        {
            _exchange.Release();
        }
    }

    private SipRequest Build(TimeSpan expires)
    {
        var request = new SipRequest(SipMethods.Register, SipUri.Sip(null, _options.Registrar.Host, _options.Registrar.Port));
        var seconds = ((long)expires.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        request.Headers
            .Add(SipHeaderNames.MaxForwards, "70")
            .Add(SipHeaderNames.From, new SipNameAddress(_aor).WithTag(_fromTag).ToString())
            .Add(SipHeaderNames.To, new SipNameAddress(_aor).ToString())
            .Add(SipHeaderNames.CallId, _callId)
            .Add(SipHeaderNames.CSeq, new SipCSeq(++_cseq, SipMethods.Register).ToString())
            .Add(SipHeaderNames.Contact, new SipNameAddress(_contact).ToString())
            .Add(SipHeaderNames.Expires, seconds);
        return request;
    }

    /// <summary>The lifetime the registrar granted our contact: its expires parameter, else the Expires header, else what we asked.</summary>
    private TimeSpan Granted(SipResponse response, TimeSpan asked)
    {
        foreach (var contact in response.Contacts)
        {
            if (contact.Uri.Host.Equals(_contact.Host, StringComparison.OrdinalIgnoreCase) && contact.Uri.Port == _contact.Port
                && int.TryParse(contact.Parameters.Get("expires"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                return TimeSpan.FromSeconds(seconds);
            }
        }

        return response.Expires is { } header ? TimeSpan.FromSeconds(header) : asked;
    }
}
