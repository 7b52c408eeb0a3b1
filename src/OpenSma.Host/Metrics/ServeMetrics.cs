using OpenSma.Engine;
using OpenSma.Engine.Invocation;
using OpenSma.Host.Calls;
using OpenSma.Media;
using OpenSma.Media.Rtp;
using OpenSma.Sip;
using OpenSma.Storage.Resources;
using OpenSma.Telephony;

namespace OpenSma.Host.Metrics;

/// <summary>
/// What <c>GET /metrics</c> reports for <c>opensma serve</c>: live call transactions and the
/// engine's counters, the telephony layer's legs, bridges and RTP ports, the SIP stack's
/// transactions, dialogs and registrar bindings, virtual phone legs, and the process. Gauges are read at scrape time
/// from the components themselves, so a scrape never disagrees with what they hold.
/// </summary>
internal sealed class ServeMetrics(
    CallEngine engine,
    EngineCounters counters,
    SipTelephony? telephony = null,
    SipEndpoint? sip = null,
    VirtualPhoneLegFactory? virtualPhones = null,
    IResourceChangeFeed? changeFeed = null)
{
    public string Render()
    {
        var text = new PrometheusText();
        WriteEngine(text);
        if (telephony is not null)
        {
            WriteTelephony(text, telephony);
        }

        if (sip is not null)
        {
            WriteSip(text, sip);
        }

        if (virtualPhones is not null)
        {
            WriteVirtualPhones(text, virtualPhones);
        }

        if (changeFeed is not null)
        {
            WriteChangeFeed(text, changeFeed);
        }

        ProcessMetrics.Write(text);
        return text.ToString();
    }

    /// <summary>The PostgreSQL store's LISTEN/NOTIFY feed of other servers' writes (absent with SQLite).</summary>
    internal static IResourceChangeFeed? ChangeFeedOf(IResourceStore store) =>
        ((store is CachedResourceStore cached ? cached.Inner : store) as IResourceChangeFeedSource)?.ChangeFeed;

    private static void WriteChangeFeed(PrometheusText text, IResourceChangeFeed feed)
    {
        text.Gauge("opensma_store_change_feed_listening", "1 while the PostgreSQL connection that hears other servers' writes (LISTEN) is up; 0 while it reconnects, when their writes are seen only after the cache windows.", feed.IsListening ? 1 : 0);
        text.Counter("opensma_store_change_feed_connects_total", "Times that listening connection was established; more than 1 means it was lost and reconnected.", feed.Connects);
        text.Counter("opensma_store_change_feed_notifications_total", "Write notifications heard on it (this server's own included).", feed.NotificationsReceived);
    }

    private void WriteEngine(PrometheusText text)
    {
        text.Gauge("opensma_call_transactions", "Call transactions running now (one per call, with all its legs).", engine.ActiveTransactions);
        text.Counter("opensma_call_transactions_ended_total", "Call transactions that have ended.", counters.EndedTransactions);
        text.Family("opensma_handler_events_total", "counter", "Events sent to SMA handlers, by InvocationEventType.",
            counters.Events.Select(e => (Label("type", e.Key), (double)e.Value)));
        text.Family("opensma_handler_invocations_total", "counter", "Handler invocation attempts (a retry counts again), by outcome; every outcome but ok is a failure.",
            Enum.GetValues<InvocationOutcome>().Select(o => (Label("outcome", OutcomeName(o)), (double)counters.Attempts(o))));
        text.Summary("opensma_handler_invocation_duration_seconds", "Time handler invocation attempts took.", counters.AttemptTime.TotalSeconds,
            Enum.GetValues<InvocationOutcome>().Sum(counters.Attempts));
        text.Counter("opensma_handler_replies_rejected_total", "Handler replies the engine did not apply (unreadable, invalid, or ignored by the rules).", counters.RejectedReplies);
        text.Counter("opensma_handler_failovers_total", "Inbound calls moved to the next SIP-rule target because NEW_INBOUND_CALL could not be invoked (or the SMA was at its call limit).", counters.Failovers);
        text.Family("opensma_actions_total", "counter", "Actions that have ended, by outcome (succeeded, failed, interrupted, abandoned).",
            counters.Actions.Select(a => (Label("outcome", a.Key), (double)a.Value)));
    }

    private static void WriteTelephony(PrometheusText text, SipTelephony telephony)
    {
        var now = telephony.Snapshot();
        text.Gauge("opensma_sip_legs", "SIP call legs (inbound or outbound) created and not yet released.", now.LiveLegs);
        text.Gauge("opensma_sip_bridges", "Bridges relaying audio with a SIP leg (the other leg SIP or virtual).", now.Bridges);
        text.Gauge("opensma_rtp_port_pairs_leased", "RTP/RTCP port pairs held by live SIP legs.", now.RtpPortPairsInUse);
        text.Gauge("opensma_rtp_port_pairs_capacity", "RTP/RTCP port pairs in the configured range.", now.RtpPortPairsCapacity);
        text.Gauge("opensma_media_clock_streams", "Legs sending RTP on the media clock now.", now.ClockStreams);
        text.Gauge("opensma_media_realtime_threads", "Media clock and receive threads running under SCHED_FIFO.", MediaThreads.RealTimeThreads);
        if (MediaSocketEngine.Shared is { } sockets)
        {
            text.Counter("opensma_media_datagrams_received_total", "RTP and RTCP datagrams read by the media receive threads.", sockets.DatagramsReceived);
            text.Counter("opensma_media_kernel_timestamped_datagrams_total", "Of those, datagrams whose arrival time is the kernel's receive timestamp (jitter and RTCP timing use it).", sockets.KernelTimestampedDatagrams);
        }

        text.Counter("opensma_media_timed_sends_total", "RTP and RTCP datagrams handed to the kernel ahead of time and sent at their grid time (Telephony:MediaSendLeadMs, io_uring).", MediaSocketEngine.TimedSends);
        text.Counter("opensma_media_timed_send_fallbacks_total", "Datagrams sent at once because a media clock's timed-send ring was full or the datagram too big for it.", MediaSocketEngine.TimedSendFallbacks);
        text.Counter("opensma_media_timed_send_failures_total", "Timed sends the kernel reported as failed (for example a full socket buffer).", MediaSocketEngine.TimedSendFailures);

        var timing = now.SendTiming;
        text.Counter("opensma_rtp_send_timed_packets_total", "RTP sends timed against the media clock's 20 ms grid.", timing.Packets);
        text.Family("opensma_rtp_send_lateness_seconds", "gauge", "How long after its 20 ms grid point an RTP send returned (with a send lead: reached the wire), since start (quantile 1 is the maximum; 0.1 ms buckets).",
            [(Label("quantile", "0.5"), timing.LatenessP50Ms / 1000), (Label("quantile", "0.99"), timing.LatenessP99Ms / 1000), (Label("quantile", "1"), timing.LatenessMaxMs / 1000)]);
        text.Counter("opensma_rtp_send_jitter_streams_total", "Ended RTP streams whose send jitter was recorded.", timing.Streams);
        text.Family("opensma_rtp_send_jitter_seconds", "gauge", "RFC 3550 jitter of each ended stream's send times (what an ideal receiver would report), across streams.",
            [(Label("quantile", "0.5"), timing.SendJitterP50Ms / 1000), (Label("quantile", "0.99"), timing.SendJitterP99Ms / 1000)]);

        var received = now.ReceiveQuality;
        text.Counter("opensma_rtp_received_streams_total", "Ended RTP streams (one per SIP leg) that received packets from their peer.", received.Streams);
        text.Counter("opensma_rtp_received_packets_total", "RTP packets those streams received.", received.PacketsReceived);
        text.Counter("opensma_rtp_lost_packets_total", "RTP packets those streams never received (RFC 3550 cumulative loss).", received.PacketsLost);
        text.Counter("opensma_rtp_lossy_streams_total", "Ended streams that lost more than 1 % of their packets.", received.LossyStreams);
        text.Family("opensma_rtp_receive_jitter_seconds", "gauge", "Final RFC 3550 interarrival jitter of each ended stream (kernel receive times), across streams.",
            [(Label("quantile", "0.5"), received.JitterP50Ms / 1000), (Label("quantile", "0.99"), received.JitterP99Ms / 1000)]);
        text.Counter("opensma_rtp_round_trips_total", "Ended streams whose RTCP reports gave a round-trip time.", received.RoundTrips);
        text.Family("opensma_rtp_round_trip_seconds", "gauge", "Last RTCP round-trip time of each ended stream, across streams.",
            [(Label("quantile", "0.5"), received.RoundTripP50Ms / 1000), (Label("quantile", "0.99"), received.RoundTripP99Ms / 1000)]);
    }

    private static void WriteVirtualPhones(PrometheusText text, VirtualPhoneLegFactory phones)
    {
        text.Gauge("opensma_virtual_legs", "Virtual phone legs connected now (answered and not yet ended).", phones.ConnectedVirtualLegs);
        text.Counter("opensma_virtual_legs_total", "Outbound legs that rang a virtual phone (a VirtualPhones number; with SIP off, any number).", phones.VirtualLegs);
        text.Counter("opensma_virtual_phone_legs_total", "Outbound legs that rang a phone configured in VirtualPhones instead of a SIP route or the default party.", phones.ConfiguredPhoneLegs);
    }

    private static void WriteSip(PrometheusText text, SipEndpoint sip)
    {
        var stats = sip.Statistics;
        text.Family("opensma_sip_transactions", "gauge", "Live SIP transactions, by role (including those kept to absorb retransmissions).",
            [(Label("role", "client"), stats.ClientTransactions), (Label("role", "server"), stats.ServerTransactions)]);
        text.Gauge("opensma_sip_dialogs", "Live SIP dialogs, early and confirmed.", stats.Dialogs);
        text.Gauge("opensma_sip_registrar_bindings", "Unexpired contacts registered to OpenSMA's registrar.", stats.RegistrarBindings);
        text.Gauge("opensma_sip_connections", "Open SIP TCP and TLS connections, inbound and outbound.", stats.Connections);
        text.Family("opensma_sip_connections_refused_total", "counter", "Inbound SIP connections closed at accept over a cap, by cap.",
            [(Label("cap", "total"), stats.ConnectionsRefusedOverTotalCap), (Label("cap", "address"), stats.ConnectionsRefusedOverAddressCap)]);
        text.Counter("opensma_sip_connections_idle_closed_total", "SIP connections closed after the idle timeout with nothing using them.", stats.IdleConnectionsClosed);
        text.Counter("opensma_sip_connections_send_overflow_total", "SIP connections closed because the peer stopped reading what was sent.", stats.SendQueueOverflows);
    }

    private static IReadOnlyList<KeyValuePair<string, string>> Label(string name, string value) => [KeyValuePair.Create(name, value)];

    private static string OutcomeName(InvocationOutcome outcome) => outcome switch
    {
        InvocationOutcome.Ok => "ok",
        InvocationOutcome.FunctionError => "function_error",
        InvocationOutcome.Rejected => "rejected",
        InvocationOutcome.Throttled => "throttled",
        InvocationOutcome.Timeout => "timeout",
        InvocationOutcome.Unreachable => "unreachable",
        _ => outcome.ToString().ToLowerInvariant(),
    };
}
