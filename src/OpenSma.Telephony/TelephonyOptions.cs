using OpenSma.Media.Clock;

namespace OpenSma.Telephony;

/// <summary>Settings of the telephony layer that joins SIP, media and the engine.</summary>
public sealed record TelephonyOptions
{
    /// <summary>First and last UDP port for RTP (even) and RTCP (odd).</summary>
    public int RtpPortMin { get; init; } = 20000;

    public int RtpPortMax { get; init; } = 29999;

    /// <summary>Address RTP sockets bind to.</summary>
    public string RtpBindAddress { get; init; } = "0.0.0.0";

    /// <summary>
    /// Address written into SDP (c=); null picks the SIP endpoint's advertised host when it is an IP
    /// address, else the primary IPv4 address of the machine (loopback when it has none).
    /// </summary>
    public string? AdvertisedAddress { get; init; }

    /// <summary>
    /// Send slots per 20 ms media-clock tick (1-20). Legs are spread over them and keep theirs, so a
    /// node's packets leave in small groups 20/N ms apart at a fixed offset per stream instead of in
    /// one burst per tick (a burst of a thousand sends puts the last one milliseconds after the first
    /// and makes the receivers' jitter depend on the order of the burst).
    /// </summary>
    public int MediaClockSlots { get; init; } = 10;

    /// <summary>
    /// Media clocks, each ticking on its own thread; legs are shared among them round-robin. One
    /// thread sends every leg's packet in turn, so more than one lets thousands of legs use more cores.
    /// One per core by default: on 2 cores a single clock thread fell behind at 2,000 streams, two kept up.
    /// </summary>
    public int MediaClocks { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// How far ahead of their 20 ms grid the media clocks tick (0-200 ms, <see cref="MediaClockOptions.SendLead"/>).
    /// With a lead, each tick's RTP is handed to the kernel with an io_uring timeout and leaves at
    /// its grid time even if this process is paused for less than the lead (a garbage collection),
    /// at the price of that much more delay on every stream (prompts and bridged audio alike).
    /// Zero (no lead) by default; serve asks for <c>Telephony:MediaSendLeadMs</c>.
    /// </summary>
    public TimeSpan MediaSendLead { get; init; }

    /// <summary>
    /// SCHED_FIFO priority for the media threads (see <c>OpenSma.Media.MediaThreads</c>): receive
    /// threads get it and clock threads one more. 0 (the library default) keeps normal scheduling;
    /// serve asks for 10. When the process may not use it (no CAP_SYS_NICE or RLIMIT_RTPRIO), the
    /// threads keep normal scheduling and a warning is logged.
    /// </summary>
    public int MediaRealTimePriority { get; init; }

    /// <summary>No RTP for this long while media is expected ends the call (HANGUP).</summary>
    public TimeSpan RtpInactivityTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an outbound INVITE may ring before it is cancelled as not answered (480).</summary>
    public TimeSpan OutboundRingTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// When true, an INVITE is accepted only from a host a voice connector allows (its termination
    /// CIDR list or a digest answer with one of its credentials) or from a registered softphone; others get 403.
    /// When false (the zero-config default) anyone may call the numbers that have SIP rules.
    /// </summary>
    public bool RequireTrunkAuthorization { get; init; }

    /// <summary>
    /// Digest algorithms offered when an inbound trunk INVITE is challenged, most preferred first;
    /// null keeps the stack's default (SHA-256, then MD5, RFC 8760). Trunks that read only the first
    /// challenge and know only MD5 (sipp 3.6, older PBXs) need <c>["MD5"]</c>.
    /// </summary>
    public IReadOnlyList<string>? TrunkDigestAlgorithms { get; init; }

    /// <summary>
    /// How long the inbound router keeps what it read from the resource store (rules, SMAs, numbers,
    /// voice connectors) before reading it again, applied by <see cref="SipTelephony.Attach"/>
    /// (<see cref="Inbound.SipInboundRouter.UseRouteCache"/>): writes through this process are seen at
    /// once whatever the value, writes by another process after at most this long. Zero turns the
    /// route cache off (every call reads the store). Default 1 s; serve reads
    /// <c>Telephony:RouteCacheFreshnessMs</c>.
    /// </summary>
    public TimeSpan RouteCacheFreshness { get; init; } = Inbound.SipInboundRouter.DefaultRouteCacheFreshness;

    /// <summary>Voice connector (id or name) used for outbound calls to numbers nobody here owns; null takes the first with origination routes.</summary>
    public string? DefaultVoiceConnector { get; init; }

    /// <summary>
    /// AWS quota "Voice Connector calls per second (per VC)" (AWS default 1): call attempts per second
    /// through one voice connector, outbound to its origination routes and inbound INVITEs it admits
    /// together; null (the default) means no quota. Over it an outbound attempt ends 503 like a trunk
    /// failure and an inbound INVITE gets 503. The connector's own <c>Termination.CpsLimit</c> still applies too.
    /// </summary>
    public int? VoiceConnectorCallsPerSecond { get; init; }

    /// <summary>
    /// AWS quota "Voice Connector concurrent calls per account per Region" (AWS default 10): calls
    /// through all voice connectors at once, in both directions; null (the default) means no quota.
    /// A call's slot is freed when its SIP leg is released. Over it, as for <see cref="VoiceConnectorCallsPerSecond"/>.
    /// </summary>
    public int? MaxVoiceConnectorConcurrentCalls { get; init; }
}
