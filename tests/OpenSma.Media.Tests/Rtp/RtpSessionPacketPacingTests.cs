using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Media.Audio;
using OpenSma.Media.Clock;
using OpenSma.Media.Codecs;
using OpenSma.Media.Rtp;
using OpenSma.Media.Sdp;
using OpenSma.Media.Tests.TestSupport;

namespace OpenSma.Media.Tests.Rtp;

/// <summary>
/// When packets of a ptime other than 20 ms leave, on stepped time (1 ms steps, so every send
/// happens at the step it is due): each on its own grid, the run's first tick + n x ptime + c,
/// although the clock ticks every 20 ms.
/// </summary>
public sealed class RtpSessionPacketPacingTests : IDisposable
{
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("10.1.1.1"), 30000);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly MemoryTransport _transport;
    private MediaClock _clock;
    private RtpSession? _session;

    public RtpSessionPacketPacingTests()
    {
        _transport = new MemoryTransport(time: _time);
        _clock = new MediaClock(_time);
    }

    public void Dispose()
    {
        _clock.Dispose();
        _session?.Dispose();
    }

    private RtpSession Start(int ptime, MemoryTransport? transport = null)
    {
        var session = new RtpSession(transport ?? _transport, new RtpSessionOptions(AudioCodec.Pcmu, 0, 101) { PacketTimeMilliseconds = ptime }, _time);
        session.Start();
        session.SetRemote(Peer);
        _clock.Subscribe(session);
        _session ??= session;
        return session;
    }

    private void Milliseconds(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }
    }

    // Each RTP packet sent, with when it was sent (ms since the clock started).
    private List<(RtpHeader Header, int PayloadBytes, double At)> Sent(MemoryTransport? transport = null)
    {
        transport ??= _transport;
        return transport.Sent
            .Select((s, i) => (s, At: _time.GetElapsedTime(_clock.StartTimestamp, transport.SentAt[i]).TotalMilliseconds))
            .Where(x => !x.s.Rtcp)
            .Select(x =>
            {
                Assert.True(RtpPacket.TryRead(x.s.Datagram, out var header, out var payload));
                return (header, payload.Length, x.At);
            })
            .ToList();
    }

    [Theory]
    [InlineData(10, 0)]
    [InlineData(20, 0)]
    [InlineData(25, 20)]
    [InlineData(30, 20)]
    [InlineData(40, 20)]
    [InlineData(50, 40)]
    [InlineData(60, 40)]
    public void PacketN_LeavesAtTheRunsFirstTickPlusNTimesPtimePlusTheLeastSafeDelay(int ptime, int delay)
    {
        Start(ptime);
        _ = _session!.Player.Play(ToneGenerator.Beep(TimeSpan.FromSeconds(2)));

        Milliseconds(1200);

        // The first tick is due at 20 ms; packet n is due at 20 + delay + n x ptime.
        var sent = Sent();
        Assert.Equal(((1200 - 20 - delay) / ptime) + 1, sent.Count);
        for (var n = 0; n < sent.Count; n++)
        {
            Assert.Equal(20 + delay + (n * ptime), sent[n].At);
            Assert.Equal(ptime * 8, sent[n].PayloadBytes);
            Assert.Equal(unchecked(sent[0].Header.Timestamp + (uint)(n * ptime * 8)), sent[n].Header.Timestamp);
            Assert.Equal(unchecked((ushort)(sent[0].Header.SequenceNumber + n)), sent[n].Header.SequenceNumber);
        }

        Assert.InRange(_clock.DeferredCount, 0, 1); // the last tick's packet due up to 20 ms later
    }

    [Fact]
    public void Ptime10_NeverLeavesBeforeTheTickThatHasItsAudio_AndTheTickSendsTheFirstOfEachPair()
    {
        Start(10);
        var counts = new List<int>();
        foreach (var step in new[] { 20, 9, 1, 10, 9, 1 })
        {
            Milliseconds(step);
            counts.Add(_transport.SentRtp.Count());
        }

        // At 20 ms (the first tick) one packet has left and the other waits: not at 29 ms, at 30 ms.
        Assert.Equal([1, 1, 2, 3, 3, 4], counts);
        Assert.Equal(0, _clock.DeferredCount);
    }

    [Fact]
    public void Ptime10_TelephoneEvent_RestartsTheRunAtTheTickAudioResumes()
    {
        var session = Start(10);
        Milliseconds(100);
        var digit = session.DigitSender.Send("5", TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(40));
        Milliseconds(600);

        Assert.True(digit.IsCompleted);
        var sent = Sent();
        var lastEvent = sent.FindLastIndex(p => p.Header.PayloadType == 101);
        var firstEvent = sent.FindIndex(p => p.Header.PayloadType == 101);
        Assert.True(firstEvent > 0 && lastEvent > firstEvent);

        // Events leave on the tick (every 20 ms), never between ticks.
        Assert.All(sent.Where(p => p.Header.PayloadType == 101), p => Assert.Equal(0, p.At % 20));

        // Audio before the event kept its 10 ms grid from 20 ms; after it, a new grid from the tick it resumed on.
        var before = sent.Take(firstEvent).ToList();
        Assert.All(before, p => Assert.Equal(80, p.PayloadBytes));
        Assert.Equal(Enumerable.Range(0, before.Count).Select(n => 20.0 + (n * 10)), before.Select(p => p.At));
        var after = sent.Skip(lastEvent + 1).ToList();
        Assert.True(after.Count > 10);
        Assert.Equal(0, after[0].At % 20);
        Assert.True(after[0].At > sent[lastEvent].At);
        Assert.Equal(Enumerable.Range(0, after.Count).Select(n => after[0].At + (n * 10)), after.Select(p => p.At));

        // On the wire the sequence numbers follow the send order.
        var sequence = sent.Select(p => (int)p.Header.SequenceNumber).ToList();
        Assert.Equal(Enumerable.Range(sequence[0], sequence.Count), sequence.Select(s => s < sequence[0] ? s + 65536 : s));
        Assert.Equal(sent.Select(p => p.At).Order(), sent.Select(p => p.At));
    }

    [Fact]
    public void Ptime30_Hold_ResumedRunStartsAtItsFirstTickWithAMarker()
    {
        var session = Start(30);
        Milliseconds(200);
        session.Update(session.Options with { Direction = MediaDirection.RecvOnly });
        Milliseconds(100);
        var held = Sent().Count;
        session.Update(session.Options with { Direction = MediaDirection.SendRecv });
        Milliseconds(200);

        var sent = Sent();

        // The first tick is at 20 ms, so 40, 70, ... 190; the next would have been due at 220 ms.
        Assert.Equal([40.0, 70, 100, 130, 160, 190], sent.Take(held).Select(p => p.At));

        // Held from the tick at 220 ms to the one at 300 ms; sending again from 320 ms: 340, 370, ...
        var resumed = sent.Skip(held).ToList();
        Assert.Equal(Enumerable.Range(0, resumed.Count).Select(n => 340.0 + (n * 30)), resumed.Select(p => p.At));
        Assert.True(resumed[0].Header.Marker);
        Assert.All(resumed.Skip(1), p => Assert.False(p.Header.Marker));
    }

    [Fact]
    public void SessionDisposed_WithAPacketWaiting_SendsNothingAfterwards()
    {
        var session = Start(10);
        Milliseconds(40);
        Assert.Equal(1, _clock.DeferredCount); // the tick at 40 ms's second packet, due at 50 ms
        var count = _transport.Sent.Count;

        session.Dispose();
        Milliseconds(100);

        Assert.True(_transport.Disposed);
        Assert.Equal(count, _transport.Sent.Count);
        Assert.Equal(0, _clock.DeferredCount);
    }

    [Fact]
    public void ClockDisposed_WithAPacketWaiting_DropsIt()
    {
        Start(10);
        Milliseconds(40);
        Assert.Equal(1, _clock.DeferredCount);
        var count = _transport.Sent.Count;

        _clock.Dispose();
        Milliseconds(100);

        Assert.Equal(count, _transport.Sent.Count);
        Assert.Equal(0, _clock.DeferredCount);
    }

    [Fact]
    public void Slots_EachSessionsPacketsKeepTheirSlotsOffset()
    {
        _clock.Dispose();
        _clock = new MediaClock(_time, new MediaClockOptions { Slots = 4 });
        var other = new MemoryTransport(time: _time);
        Start(10);
        Start(10, other);
        Milliseconds(200);

        // Slot 0 at 0 ms, slot 1 at 5 ms into each tick.
        Assert.Equal(Enumerable.Range(0, 19).Select(n => 20.0 + (n * 10)), Sent().Select(p => p.At));
        Assert.Equal(Enumerable.Range(0, 18).Select(n => 25.0 + (n * 10)), Sent(other).Select(p => p.At));
    }

    [Fact]
    public void SendLead_OnATimerClock_EveryPacketLeavesTheLeadEarly_SpacingKept()
    {
        _clock.Dispose();
        _clock = new MediaClock(_time, new MediaClockOptions { SendLead = TimeSpan.FromMilliseconds(60) });
        Start(10);
        Milliseconds(300);

        // Ticks 1-3 were delivered at start, before the subscription; tick 4 (due at 80 ms) at 20 ms.
        var sent = Sent();
        Assert.Equal(Enumerable.Range(0, sent.Count).Select(n => 20.0 + (n * 10)), sent.Select(p => p.At));
        Assert.Equal(29, sent.Count);
    }

    [Fact]
    public void TickedWithoutAClock_PacketsLeaveAtOnce()
    {
        var transport = new MemoryTransport();
        using var session = new RtpSession(transport, new RtpSessionOptions(AudioCodec.Pcmu, 0, 101) { PacketTimeMilliseconds = 10 }, _time);
        session.SetRemote(Peer);
        session.OnTick(1);
        session.OnTick(2);

        Assert.Equal(4, transport.SentRtp.Count());
    }
}
