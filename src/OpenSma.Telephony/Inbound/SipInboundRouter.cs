using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenSma.Engine;
using OpenSma.Engine.Control;
using OpenSma.Engine.Transactions;
using OpenSma.Sip.Auth;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Registrar;
using OpenSma.Storage.Resources;
using OpenSma.Telephony.Legs;
using OpenSma.Telephony.Outbound;

namespace OpenSma.Telephony.Inbound;

/// <summary>
/// Takes each incoming INVITE to an SMA: admits the caller (403, or a 401 digest challenge for a
/// voice connector's credentials), admits a call through a voice connector under the
/// voice-connector call quotas (503), offers proxy-session numbers to the proxy resolver when one is
/// set, finds the SIP rule for the dialed
/// number or the Request-URI host (404), takes the rule's existing target SMAs by priority (480 when
/// the rule is disabled or none exists; 503 when all are at their active-call limit), answers the SDP
/// offer (488, 503), rings, and starts the transaction that sends NEW_INBOUND_CALL to the first
/// target, failing over to the next when a handler cannot be invoked. Assign <see cref="OnIncomingCall"/> to
/// <c>SipEndpoint.IncomingCall</c>.
/// <para>
/// What routing reads from the store (voice connectors, phone numbers, SIP rules by number or host,
/// target SMAs, and the absence of any of them) is kept in memory: see <see cref="UseRouteCache"/>.
/// </para>
/// </summary>
public sealed partial class SipInboundRouter
{
    /// <summary>How long routing reads are kept by default (<see cref="UseRouteCache"/>).</summary>
    public static readonly TimeSpan DefaultRouteCacheFreshness = TimeSpan.FromSeconds(1);

    private readonly IResourceStore _store;
    private IResourceStore _reads;
    private readonly CallEngine _engine;
    private readonly MediaPlane _plane;
    private readonly TrunkAdmission _admission;
    private readonly VoiceConnectorQuotas _quotas;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ILogger _legLogger;

    public SipInboundRouter(
        IResourceStore store,
        CallEngine engine,
        MediaPlane plane,
        SipRegistrar? registrar = null,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(plane);
        _store = store;
        _engine = engine;
        _plane = plane;
        _time = plane.Time;
        // One verifier for the router's life (its nonces are signed with a per-instance secret), unless the algorithms change.
        _admission = new TrunkAdmission(store, registrar, plane.Options, new SipDigestVerifier(_time));
        _quotas = plane.VoiceConnectorQuotas;
        _reads = store;
        UseRouteCache(DefaultRouteCacheFreshness);
        var loggers = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = loggers.CreateLogger("OpenSma.Telephony.Inbound");
        _legLogger = loggers.CreateLogger("OpenSma.Telephony.Legs");
    }

    /// <summary>
    /// Digest algorithms offered when challenging a trunk's INVITE, most preferred first: SHA-256
    /// then MD5 by default (RFC 8760). Trunks that read only the first challenge and know only MD5
    /// (sipp 3.6, older PBXs) need <c>["MD5"]</c>. Set it while setting up: outstanding nonces are
    /// forgotten.
    /// </summary>
    public IReadOnlyList<string> TrunkDigestAlgorithms
    {
        get => _admission.Verifier.Algorithms;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _admission.Verifier = new SipDigestVerifier(_time) { Algorithms = value };
        }
    }

    /// <summary>
    /// Keeps what routing reads from the store (found or not found) for at most
    /// <paramref name="freshness"/>, and drops it at once when a document of the same kind (SIP rule,
    /// SIP media application, phone number, voice connector) is written through the same store
    /// instance in this process, as the control plane does. Writes by another process sharing a
    /// PostgreSQL database are seen after at most <paramref name="freshness"/> (at once when the
    /// store relays other processes' writes through its signal, as the PostgreSQL store does with
    /// LISTEN/NOTIFY). Zero turns the cache off: every call reads the store, and a store that is itself
    /// a <see cref="CachedResourceStore"/> (serve's SQLite store) is read past that cache, at its
    /// <see cref="CachedResourceStore.Inner"/>. A store that cannot signal its writes
    /// (<see cref="IResourceChangeSignal"/>) is read on every call whatever the setting, since only
    /// the signal makes in-process writes visible at once. Otherwise a store that is itself a
    /// <see cref="CachedResourceStore"/> is used as it is. The default is
    /// <see cref="DefaultRouteCacheFreshness"/>. Set it while setting up.
    /// </summary>
    /// <param name="time">The clock for the freshness bound; null: the media plane's.</param>
    public void UseRouteCache(TimeSpan freshness, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(freshness, TimeSpan.Zero);
        RouteCacheFreshness = freshness;
        // A store that is already a cache (serve's SQLite store) already serves these reads from
        // memory and drops them on every write; a second cache over it would only hold the same
        // documents twice.
        _reads = freshness == TimeSpan.Zero
            ? _store is CachedResourceStore cached ? cached.Inner : _store
            : _store is IResourceChangeSignal and not CachedResourceStore
                ? new CachedResourceStore(_store, RouteCacheEntries, freshness, time ?? _time)
                : _store;
        _admission.Store = _reads;
    }

    /// <summary>The bound set by <see cref="UseRouteCache"/>; zero when routing reads the store on every call.</summary>
    public TimeSpan RouteCacheFreshness { get; private set; }

    /// <summary>Raised when a call has been handed to the engine (tests and the phone rig watch it).</summary>
    public event Action<SipCallLeg, CallTransaction>? CallStarted;

    /// <summary>For <c>SipEndpoint.IncomingCall</c>: runs under the SIP stack's gate, so it only hands the dialog on.</summary>
    public void OnIncomingCall(SipDialog dialog)
    {
        ArgumentNullException.ThrowIfNull(dialog);
        _ = Task.Run(() => RouteAsync(dialog));
    }

    /// <summary>Routes one INVITE to completion of the hand-off; returns the leg, or null when the INVITE was refused.</summary>
    internal async Task<SipCallLeg?> RouteAsync(SipDialog dialog)
    {
        try
        {
            return await RouteCoreAsync(dialog).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogRouteFailed(_logger, dialog.CallId, ex);
            dialog.Reject(480);
            return null;
        }
    }

    private async Task<SipCallLeg?> RouteCoreAsync(SipDialog dialog)
    {
        var ct = CancellationToken.None;
        var facts = InviteFacts.From(dialog.InitialInvite);
        var admission = await _admission.CheckAsync(facts, dialog.InitialInvite, ct).ConfigureAwait(false);
        switch (admission.Verdict)
        {
            case AdmissionVerdict.Refuse:
                return Refuse(dialog, 403, "Forbidden", admission.Reason);
            case AdmissionVerdict.BadRequest:
                return Refuse(dialog, 400, "Bad Request", admission.Reason);
            case AdmissionVerdict.Challenge:
                // The caller retries with credentials as a new INVITE, which comes through here again.
                LogRefused(_logger, dialog.CallId, 401, admission.Reason);
                dialog.RejectWithChallenge(_admission.Verifier, admission.Realm!, admission.Auth);
                return null;
        }

        if (admission.VoiceConnectorId is not { } connector || !_quotas.IsEnabled)
        {
            return await RouteAdmittedAsync(dialog, facts, ct).ConfigureAwait(false);
        }

        // A call through a voice connector holds a quota slot until its leg is released; one that
        // never gets a leg (refused, or routing failed) gives the slot back at once.
        if (_quotas.TryAdmit(connector, null, out var refusal) is not { } slot)
        {
            return Refuse(dialog, 503, "Service Unavailable", refusal!);
        }

        SipCallLeg? leg = null;
        try
        {
            leg = await RouteAdmittedAsync(dialog, facts, ct).ConfigureAwait(false);
            return leg;
        }
        finally
        {
            if (leg is null)
            {
                slot.Release();
            }
            else
            {
                slot.Bind(leg);
            }
        }
    }

    private async Task<SipCallLeg?> RouteAdmittedAsync(SipDialog dialog, InviteFacts facts, CancellationToken ct)
    {
        if (await FindProxyRouteAsync(facts, ct).ConfigureAwait(false) is { } proxied)
        {
            return StartProxyCall(dialog, facts, facts.DialedNumber ?? facts.ToNumber!, proxied);
        }

        var (rule, dialed) = await FindRuleAsync(facts, ct).ConfigureAwait(false);
        if (rule is null)
        {
            return Refuse(dialog, 404, "Not Found", $"no SIP rule for {facts.DialedNumber ?? facts.ToNumber ?? "(no number)"} or host {facts.RequestHost}");
        }

        if (rule.Disabled)
        {
            return Refuse(dialog, 480, "Temporarily Unavailable", $"SIP rule {rule.Id} is disabled");
        }

        var targets = new List<SipMediaApplicationRef>(rule.TargetApplications.Count);
        foreach (var target in rule.TargetApplications.OrderBy(t => t.Priority))
        {
            // A target whose SMA no longer exists is skipped; the engine fails over between the rest
            // when a handler cannot be invoked.
            if ((await _reads.GetAsync<SipMediaApplication>(target.SipMediaApplicationId, ct).ConfigureAwait(false))?.Value is { } sma)
            {
                targets.Add(new SipMediaApplicationRef(sma.Id, sma.AwsAccountId, sma.AwsRegion, sma.Endpoint));
            }
        }

        if (targets.Count == 0)
        {
            return Refuse(dialog, 480, "Temporarily Unavailable", $"SIP rule {rule.Id} has no existing target SMA");
        }

        if (!_engine.CanAcceptInboundCall(targets))
        {
            return Refuse(dialog, CallEngine.CapacityRefusalSipCode, "Service Unavailable", $"every target SMA of SIP rule {rule.Id} is at its active-call limit");
        }

        var leg = SipCallLeg.AcceptInvite(dialog, _plane, facts.Caller, dialed, facts.SipHeaders, _legLogger, out _);
        if (leg is null)
        {
            return null;
        }

        dialog.Ring(180);
        var transaction = _engine.StartInboundCall(targets, leg, rule.Id);
        LogRouted(_logger, dialog.CallId, dialed, rule.Id, string.Join(", ", targets.Select(t => t.SipMediaApplicationId)), transaction.TransactionId);
        CallStarted?.Invoke(leg, transaction);
        return leg;
    }

    private async Task<(SipRule? Rule, string Dialed)> FindRuleAsync(InviteFacts facts, CancellationToken ct)
    {
        foreach (var number in new[] { facts.DialedNumber, facts.ToNumber }.Distinct())
        {
            if (number is not null
                && await _reads.FindByKeyAsync<SipRule>(SipRule.TriggerKey("ToPhoneNumber", number), ct).ConfigureAwait(false) is { } byNumber)
            {
                return (byNumber.Value, number);
            }
        }

        var byHost = await _reads.FindByKeyAsync<SipRule>(SipRule.TriggerKey("RequestUriHostname", facts.RequestHost), ct).ConfigureAwait(false);
        return (byHost?.Value, facts.DialedNumber ?? facts.ToNumber ?? facts.RequestHost);
    }

    /// <summary>Distinct reads kept at most (numbers, hosts, SMAs); a full cache starts again empty.</summary>
    private const int RouteCacheEntries = 10_000;

    private SipCallLeg? Refuse(SipDialog dialog, int code, string phrase, string reason)
    {
        LogRefused(_logger, dialog.CallId, code, reason);
        dialog.Reject(code, phrase);
        return null;
    }

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "INVITE {SipCallId} to {Number}: rule {RuleId} -> SMAs {SmaIds} in priority order, transaction {TransactionId}")]
    private static partial void LogRouted(ILogger logger, string sipCallId, string number, string ruleId, string smaIds, string transactionId);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "INVITE {SipCallId} refused {Code}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string sipCallId, int code, string reason);

    [LoggerMessage(EventId = 203, Level = LogLevel.Error, Message = "INVITE {SipCallId}: routing failed")]
    private static partial void LogRouteFailed(ILogger logger, string sipCallId, Exception ex);
}
