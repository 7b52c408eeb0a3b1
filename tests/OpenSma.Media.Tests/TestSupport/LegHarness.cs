using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Media.Clock;
using OpenSma.Media.Codecs;
using OpenSma.Media.Dtmf;
using OpenSma.Media.Rtp;

namespace OpenSma.Media.Tests.TestSupport;

/// <summary>Legs on in-memory transports driven by one stepped media clock.</summary>
internal sealed class LegHarness : IDisposable
{
    private readonly List<(RtpSession Session, MemoryTransport Transport, IPEndPoint Peer, AudioCodec Codec)> _legs = [];
    private readonly Dictionary<RtpSession, ushort> _sequences = [];

    public LegHarness()
    {
        Clock = new MediaClock(Time);
    }

    public FakeTimeProvider Time { get; } = new();

    public MediaClock Clock { get; }

    public RtpSession AddLeg(AudioCodec codec, bool telephoneEvent = true, bool detectInBand = false)
    {
        var transport = new MemoryTransport(40000 + (_legs.Count * 2));
        var options = new RtpSessionOptions(codec, codec.StaticPayloadType, telephoneEvent ? (byte)101 : null) { DetectInBandDtmf = detectInBand };
        var session = new RtpSession(transport, options, Time);
        var peer = new IPEndPoint(IPAddress.Parse("10.9.0.1"), 30000 + (_legs.Count * 2));
        session.Start();
        session.SetRemote(peer);
        Clock.Subscribe(session);
        _legs.Add((session, transport, peer, codec));
        return session;
    }

    public MemoryTransport TransportOf(RtpSession session) => _legs.Single(l => l.Session == session).Transport;

    /// <summary>The telephone-event packets (payload type 101) <paramref name="session"/> has sent, in order.</summary>
    public List<SentTelephoneEvent> SentTelephoneEvents(RtpSession session) =>
        [.. TransportOf(session).SentRtp
            .Select(d => (Ok: RtpPacket.TryRead(d, out var h, out var p), Header: h, Payload: p.ToArray()))
            .Where(x => x.Ok && x.Header.PayloadType == 101)
            .Select(x =>
            {
                Assert.True(TelephoneEvent.TryRead(x.Payload, out var value));
                return new SentTelephoneEvent(x.Header.Timestamp, x.Header.Marker, value);
            })];

    /// <summary>The peer of <paramref name="session"/> sends one 20 ms frame.</summary>
    public void PeerSends(RtpSession session, ReadOnlySpan<short> frame)
    {
        var leg = _legs.Single(l => l.Session == session);
        // Each peer numbers its own stream: sequence and timestamp advance per packet of that leg.
        var sequence = _sequences.GetValueOrDefault(session);
        leg.Transport.Deliver(PeerPackets.Audio(sequence, (uint)(sequence * 160), frame, codec: leg.Codec), leg.Peer);
        _sequences[session] = (ushort)(sequence + 1);
    }

    /// <summary>The peer sends one frame with the given sequence number (timestamp = sequence x 160), for reordering tests.</summary>
    public void PeerSends(RtpSession session, ReadOnlySpan<short> frame, ushort sequence)
    {
        var leg = _legs.Single(l => l.Session == session);
        leg.Transport.Deliver(PeerPackets.Audio(sequence, (uint)(sequence * 160), frame, codec: leg.Codec), leg.Peer);
    }

    /// <summary>The peer of <paramref name="session"/> sends one RFC 4733 packet on PT 101.</summary>
    public void PeerSendsEvent(RtpSession session, ushort sequence, uint timestamp, char digit, ushort duration, bool end, bool marker = false)
    {
        var leg = _legs.Single(l => l.Session == session);
        leg.Transport.Deliver(PeerPackets.Event(101, sequence, timestamp, digit, duration, end, marker), leg.Peer);
    }

    public void Tick() => Time.Advance(TimeSpan.FromMilliseconds(20));

    /// <summary>Decoded audio of the last RTP packet <paramref name="session"/> sent.</summary>
    public short[] LastSent(RtpSession session)
    {
        var leg = _legs.Single(l => l.Session == session);
        var packet = leg.Transport.SentRtp.Last();
        Assert.True(RtpPacket.TryRead(packet, out var header, out var payload));
        var codec = AudioCodec.FromStaticPayloadType(header.PayloadType)!;
        var samples = new short[payload.Length];
        codec.Decode(payload, samples);
        return samples;
    }

    public byte[] LastSentPayload(RtpSession session)
    {
        var packet = TransportOf(session).SentRtp.Last();
        Assert.True(RtpPacket.TryRead(packet, out _, out var payload));
        return payload.ToArray();
    }

    public void Dispose()
    {
        Clock.Dispose();
        foreach (var leg in _legs)
        {
            leg.Session.Dispose();
        }
    }
}

/// <summary>One telephone-event packet a leg sent: its RTP timestamp, marker and payload.</summary>
internal sealed record SentTelephoneEvent(uint Timestamp, bool Marker, TelephoneEvent Value);
