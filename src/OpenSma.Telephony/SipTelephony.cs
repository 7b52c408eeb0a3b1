using Microsoft.Extensions.Logging;
using OpenSma.Engine;
using OpenSma.Media;
using OpenSma.Media.Clock;
using OpenSma.Sip;
using OpenSma.Storage.Resources;
using OpenSma.Telephony.Inbound;
using OpenSma.Telephony.Legs;
using OpenSma.Telephony.Outbound;

namespace OpenSma.Telephony;

/// <summary>
/// The composition of the telephony layer for a host: the media plane, the outbound leg factory
/// to give the <see cref="CallEngine"/>, and the inbound router attached to the SIP endpoint once
/// the engine exists.
/// <code>
/// var telephony = new SipTelephony(sip, store, options, time, loggers);
/// var engine = new CallEngine(engineOptions, time, objects, telephony.LegFactory, resolvers, loggers);
/// telephony.Attach(engine);   // sip.IncomingCall now routes INVITEs through SIP rules
/// </code>
/// </summary>
public sealed class SipTelephony : IDisposable
{
    private readonly SipEndpoint _endpoint;
    private readonly IResourceStore _store;
    private readonly ILoggerFactory? _loggers;
    private readonly TelephonyOptions _options;

    public SipTelephony(SipEndpoint endpoint, IResourceStore store, TelephonyOptions options, TimeProvider time, ILoggerFactory? loggerFactory = null, string? sipAdvertisedHost = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(store);
        _endpoint = endpoint;
        _store = store;
        _loggers = loggerFactory;
        if (options.MediaRealTimePriority > 0 && !MediaThreads.TryEnable(options.MediaRealTimePriority, out var refused))
        {
            loggerFactory?.CreateLogger<SipTelephony>().LogWarning("Media threads keep normal scheduling: {Reason}", refused);
        }

        if (options.MediaSendLead > TimeSpan.Zero && ReferenceEquals(time, TimeProvider.System) && !MediaClock.TimedSendsAvailable(out var unavailable))
        {
            // Without timed sends a lead would only make every stream later.
            loggerFactory?.CreateLogger<SipTelephony>().LogWarning("Telephony:MediaSendLeadMs ignored, RTP leaves from the clock threads: {Reason}", unavailable);
            options = options with { MediaSendLead = TimeSpan.Zero };
        }

        _options = options;
        Media = new MediaPlane(options, time, sipAdvertisedHost);
        Router = new SipDialRouter(store, endpoint, options, time, Media.AdvertisedAddress);
        LegFactory = new SipCallLegFactory(endpoint, Router, Media, loggerFactory);
    }

    public MediaPlane Media { get; }

    public SipDialRouter Router { get; }

    public SipCallLegFactory LegFactory { get; }

    public SipInboundRouter? Inbound { get; private set; }

    /// <summary>Starts routing incoming INVITEs to <paramref name="engine"/>, with the route cache of <see cref="TelephonyOptions.RouteCacheFreshness"/>.</summary>
    public SipInboundRouter Attach(CallEngine engine)
    {
        Inbound = new SipInboundRouter(_store, engine, Media, _endpoint.Registrar, _loggers);
        Inbound.UseRouteCache(_options.RouteCacheFreshness);
        if (_options.TrunkDigestAlgorithms is { } algorithms)
        {
            Inbound.TrunkDigestAlgorithms = algorithms;
        }

        _endpoint.IncomingCall = Inbound.OnIncomingCall;
        return Inbound;
    }

    /// <summary>Live SIP legs, bridges, RTP port leases, media send timing and received-stream quality, cheaply read (for metrics).</summary>
    public SipTelephonySnapshot Snapshot()
    {
        var ports = Media.Ports;
        return new SipTelephonySnapshot(
            Media.LiveLegs,
            Media.Bridges,
            ports.Capacity - ports.Available,
            ports.Capacity,
            Media.ClockStreams,
            Media.SendTiming.Snapshot(),
            Media.ReceiveQuality.Snapshot());
    }

    public void Dispose() => Media.Dispose();
}
