using System.Net;
using System.Net.Sockets;
using OpenSma.Media.Clock;
using OpenSma.Media.Rtp;
using OpenSma.Media.Sdp;
using OpenSma.Telephony.Outbound;

namespace OpenSma.Telephony.Legs;

/// <summary>
/// What every SIP leg of a node shares: the RTP port range, the media clock that drives all
/// outbound streams, the address written into SDP, and the time source.
/// </summary>
public sealed class MediaPlane : IDisposable
{
    private readonly IPAddress _bindAddress;
    private readonly MediaClock[] _clocks;
    private int _nextClock = -1;
    private int _liveLegs;
    private int _bridges;

    public MediaPlane(TelephonyOptions options, TimeProvider time, string? sipAdvertisedHost = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        Options = options;
        Time = time;
        Ports = new RtpPortAllocator(options.RtpPortMin, options.RtpPortMax);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MediaClocks, 1);
        var clockOptions = new MediaClockOptions { Slots = options.MediaClockSlots, SendLead = options.MediaSendLead };
        _clocks = [.. Enumerable.Range(0, options.MediaClocks).Select(_ => new MediaClock(time, clockOptions))];
        VoiceConnectorQuotas = new VoiceConnectorQuotas(options.VoiceConnectorCallsPerSecond, options.MaxVoiceConnectorConcurrentCalls, time);
        _bindAddress = IPAddress.Parse(options.RtpBindAddress);
        AdvertisedAddress = ChooseAdvertised(options.AdvertisedAddress, sipAdvertisedHost, _bindAddress);
    }

    public TelephonyOptions Options { get; }

    public TimeProvider Time { get; }

    public RtpPortAllocator Ports { get; }

    /// <summary>The node's voice-connector quotas, shared by outbound legs and inbound trunk calls.</summary>
    public VoiceConnectorQuotas VoiceConnectorQuotas { get; }

    /// <summary>The first media clock (the only one unless <see cref="TelephonyOptions.MediaClocks"/> says more).</summary>
    public MediaClock Clock => _clocks[0];

    /// <summary>Every media clock; legs are shared among them round-robin.</summary>
    public IReadOnlyList<MediaClock> Clocks => _clocks;

    /// <summary>Legs sending on the media clocks now.</summary>
    public int ClockStreams => _clocks.Sum(c => c.ListenerCount);

    /// <summary>The address peers send RTP to (SDP c= line).</summary>
    public IPAddress AdvertisedAddress { get; }

    public MediaCapabilities Capabilities { get; init; } = MediaCapabilities.Default;

    /// <summary>How punctually the legs' RTP left against the clock's 20 ms grid.</summary>
    public MediaSendTiming SendTiming { get; } = new();

    /// <summary>Loss, jitter and round trip of the legs' received streams, added as each leg's media is released.</summary>
    public MediaReceiveQuality ReceiveQuality { get; } = new();

    /// <summary>SIP legs created and not yet released.</summary>
    public int LiveLegs => Volatile.Read(ref _liveLegs);

    /// <summary>Bridges with at least one SIP leg of this plane (the other leg SIP or virtual) relaying audio now, each counted once.</summary>
    public int Bridges => Volatile.Read(ref _bridges);

    /// <summary>The clock the next leg to start sending goes on.</summary>
    internal MediaClock NextClock() => _clocks[(int)((uint)Interlocked.Increment(ref _nextClock) % (uint)_clocks.Length)];

    internal void LegOpened() => Interlocked.Increment(ref _liveLegs);

    internal void LegReleased() => Interlocked.Decrement(ref _liveLegs);

    internal void BridgeOpened() => Interlocked.Increment(ref _bridges);

    internal void BridgeClosed() => Interlocked.Decrement(ref _bridges);

    /// <summary>Binds a port pair for a new leg; null when the range is exhausted (the call gets 503).</summary>
    internal LegMedia? TryOpenLeg()
    {
        var lease = Ports.TryAllocate(_bindAddress);
        return lease is null ? null : new LegMedia(this, lease);
    }

    public void Dispose()
    {
        foreach (var clock in _clocks)
        {
            clock.Dispose();
        }
    }

    private static IPAddress ChooseAdvertised(string? configured, string? sipHost, IPAddress bind)
    {
        if (configured is not null)
        {
            return IPAddress.Parse(configured);
        }

        if (sipHost is not null && IPAddress.TryParse(sipHost, out var fromSip))
        {
            return fromSip;
        }

        if (!bind.Equals(IPAddress.Any) && !bind.Equals(IPAddress.IPv6Any))
        {
            return bind;
        }

        return PrimaryIPv4() ?? IPAddress.Loopback;
    }

    private static IPAddress? PrimaryIPv4()
    {
        try
        {
            // Connecting a UDP socket sends nothing; it only asks the kernel which source address it would use.
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            probe.Connect(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 9));
            return (probe.LocalEndPoint as IPEndPoint)?.Address;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
