using OpenSma.Media.Dtmf;

namespace OpenSma.Media.Tests.Dtmf;

public sealed class TelephoneEventSenderTests
{
    private static List<(TelephoneEvent? Event, uint Timestamp, bool Marker)> Run(TelephoneEventSender sender, int ticks)
    {
        var result = new List<(TelephoneEvent?, uint, bool)>();
        for (var i = 0; i < ticks; i++)
        {
            var ts = (uint)(i * 160);
            result.Add(sender.NextPacket(ts, out var value, out var eventTs, out var marker)
                ? (value, eventTs, marker)
                : (null, ts, false));
        }

        return result;
    }

    [Fact]
    public async Task NextPacket_Digit_ProgressThenThreeEnds()
    {
        var sender = new TelephoneEventSender();
        var done = sender.Send("#", TimeSpan.FromMilliseconds(60), TimeSpan.Zero);

        var packets = Run(sender, 8);

        Assert.Equal([160, 320, 480, 480, 480], packets.Take(5).Select(p => (int)p.Event!.Value.Duration));
        Assert.Equal([false, false, true, true, true], packets.Take(5).Select(p => p.Event!.Value.End));
        Assert.All(packets.Take(5), p => Assert.Equal(11, p.Event!.Value.Event));
        Assert.All(packets.Take(5), p => Assert.Equal(0u, p.Timestamp));
        Assert.Equal([true, false, false, false, false], packets.Take(5).Select(p => p.Marker));
        Assert.All(packets.Skip(5), p => Assert.Null(p.Event));
        Assert.True(await done);
        Assert.False(sender.IsSending);
    }

    [Fact]
    public async Task NextPacket_TwoDigitsWithGap_GapCarriesAudio()
    {
        var sender = new TelephoneEventSender();
        var done = sender.Send("12", TimeSpan.FromMilliseconds(40), TimeSpan.FromMilliseconds(60));

        var packets = Run(sender, 12);

        // '1': 1 progress + 3 ends; 3 ticks of gap; '2': 1 progress + 3 ends starting at tick 7.
        Assert.Equal([true, true, true, true, false, false, false, true, true, true, true, false], packets.Select(p => p.Event is not null));
        Assert.Equal(7u * 160, packets[7].Timestamp);
        Assert.True(packets[7].Marker);
        Assert.Equal(2, packets[7].Event!.Value.Event);
        Assert.True(await done);
    }

    [Fact]
    public async Task Cancel_DuringTone_SendsEndsForCurrentDigitAndDropsRest()
    {
        var sender = new TelephoneEventSender();
        var first = sender.Send("98", TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(40));
        var queued = sender.Send("7", TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(40));
        Run(sender, 2);

        sender.Cancel();
        var after = Run(sender, 6);

        Assert.All(after.Take(3), p => Assert.True(p.Event!.Value.End));
        Assert.All(after.Take(3), p => Assert.Equal(9, p.Event!.Value.Event));
        Assert.All(after.Skip(3), p => Assert.Null(p.Event));
        Assert.False(await first);
        Assert.False(await queued);
    }

    [Fact]
    public void Send_InvalidDigit_Throws()
    {
        var sender = new TelephoneEventSender();

        Assert.Throws<ArgumentException>(() => { _ = sender.Send("12x", TimeSpan.FromMilliseconds(100), TimeSpan.Zero); });
    }

    [Fact]
    public void StartPress_Held_FollowsTheSourceThenEndsWithItsLength()
    {
        var sender = new TelephoneEventSender();
        var press = sender.StartPress(5, 12, 160, ended: false, TimeSpan.Zero);
        var packets = new List<(TelephoneEvent? Event, uint Timestamp, bool Marker)>();
        for (var i = 0; i < 30; i++)
        {
            press.Update((i + 2) * 160);
            packets.AddRange(Run(sender, 1).Select(p => (p.Event, p.Timestamp, p.Marker)));
        }

        press.End(31 * 160);
        var rest = Run(sender, 6);

        Assert.All(packets, p => Assert.False(p.Event!.Value.End));
        Assert.Equal(Enumerable.Range(1, 30).Select(i => i * 160), packets.Select(p => (int)p.Event!.Value.Duration));
        Assert.All(packets, p => Assert.Equal(12, p.Event!.Value.Volume));
        Assert.True(packets[0].Marker);
        Assert.Equal([true, true, true], rest.Take(3).Select(p => p.Event!.Value.End));
        Assert.All(rest.Take(3), p => Assert.Equal(31 * 160, p.Event!.Value.Duration));
        Assert.All(rest.Skip(3), p => Assert.Null(p.Event));
        Assert.False(sender.IsSending);
    }

    [Fact]
    public void StartPress_SourceGoesQuiet_RunsAtMostTheLeadAhead_ThenEndsByTimeout()
    {
        var sender = new TelephoneEventSender();
        var press = sender.StartPress(1, 10, 800, ended: false, TimeSpan.Zero);

        var packets = Run(sender, 20);

        var updates = packets.TakeWhile(p => p.Event is { End: false }).Select(p => (int)p.Event!.Value.Duration).ToList();
        Assert.Equal(1280, updates.Max()); // 800 heard + 60 ms lead
        Assert.Equal(10, updates.Count);    // the hold timeout: over 200 ms without news
        var ends = packets.Skip(updates.Count).Take(3).ToList();
        Assert.All(ends, p => Assert.True(p.Event!.Value.End));
        Assert.All(ends, p => Assert.Equal(1280, p.Event!.Value.Duration));
        Assert.All(packets.Skip(updates.Count + 3), p => Assert.Null(p.Event));
        press.End(4000); // too late: ignored
        Assert.All(Run(sender, 5), p => Assert.Null(p.Event));
    }

    [Fact]
    public void StartPress_QueuedPresses_EachStartsAfterTheGap()
    {
        var sender = new TelephoneEventSender();
        sender.StartPress(1, 10, 480, ended: true, TimeSpan.FromMilliseconds(40));
        sender.StartPress(2, 10, 320, ended: true, TimeSpan.FromMilliseconds(40));

        var packets = Run(sender, 14);

        // '1': 2 updates + 3 ends, 2 ticks of audio; '2' from tick 7: 1 update + 3 ends, 2 ticks of audio.
        Assert.Equal([true, true, true, true, true, false, false, true, true, true, true, false, false, false], packets.Select(p => p.Event is not null));
        Assert.Equal([1, 1, 1, 1, 1], packets.Take(5).Select(p => (int)p.Event!.Value.Event));
        Assert.Equal(2, packets[7].Event!.Value.Event);
        Assert.True(packets[7].Marker);
        Assert.Equal(7u * 160, packets[7].Timestamp);
        Assert.Equal(320, packets[10].Event!.Value.Duration);
    }

    [Fact]
    public void StartPress_PeerFloodsPresses_TheQueueStaysBounded()
    {
        // A peer signalling presses far faster than they can be sent (a new RFC 4733 event in every
        // packet, INFO after INFO) must not grow the queue, and the relay's latency, without bound.
        var sender = new TelephoneEventSender();
        for (var i = 0; i < 1000; i++)
        {
            sender.StartPress((byte)(i % 10), 10, 160, ended: true, TimeSpan.FromMilliseconds(40));
        }

        // Each press: 1 update + 3 ends + 2 ticks of gap = 6 ticks.
        var packets = Run(sender, 6 * 1000);
        var sent = packets.Count(p => p.Marker);
        Assert.Equal(1 + TelephoneEventSender.MaxQueuedPresses, sent);
        Assert.Equal(1000 - sent, sender.DroppedPresses);

        // Once the queue has drained, presses are taken again.
        sender.StartPress(7, 10, 160, ended: true, TimeSpan.Zero);
        Assert.Equal(7, Run(sender, 1)[0].Event!.Value.Event);
    }

    [Fact]
    public void StartPress_LongerThanTheDurationField_ContinuesInSegments()
    {
        var sender = new TelephoneEventSender();
        var press = sender.StartPress(0, 10, 0, ended: false, TimeSpan.Zero);
        var packets = new List<(TelephoneEvent? Event, uint Timestamp, bool Marker)>();
        for (var i = 0; i < 500; i++)
        {
            press.Update((i + 1) * 160);
            var ts = (uint)(i * 160);
            packets.Add(sender.NextPacket(ts, out var value, out var eventTs, out var marker) ? (value, eventTs, marker) : (null, ts, false));
        }

        press.End(80_000);
        for (var i = 500; i < 520; i++)
        {
            var ts = (uint)(i * 160);
            packets.Add(sender.NextPacket(ts, out var value, out var eventTs, out var marker) ? (value, eventTs, marker) : (null, ts, false));
        }

        var events = packets.Where(p => p.Event is not null).ToList();
        var first = events.Where(p => p.Timestamp == 0).ToList();
        var second = events.Where(p => p.Timestamp == 0xFFFF).ToList();
        Assert.Equal(events.Count, first.Count + second.Count);
        Assert.Equal([0xFFFF, 0xFFFF, 0xFFFF], first.TakeLast(3).Select(p => (int)p.Event!.Value.Duration));
        Assert.Equal(409, first.Count(p => p.Event!.Value.Duration < 0xFFFF));
        Assert.DoesNotContain(first, p => p.Event!.Value.End);
        Assert.Equal([true, .. Enumerable.Repeat(false, events.Count - 1)], events.Select(p => p.Marker));
        Assert.Equal(3, second.Count(p => p.Event!.Value.End));
        Assert.Equal(80_000 - 0xFFFF, second[^1].Event!.Value.Duration);
        Assert.Equal(second.Select(p => p.Event!.Value.Duration).Order(), second.Select(p => p.Event!.Value.Duration));
    }

    [Fact]
    public void Cancel_DuringRelayedPress_EndsItAtWhatWasSent()
    {
        var sender = new TelephoneEventSender();
        var press = sender.StartPress(9, 10, 1600, ended: false, TimeSpan.Zero);
        Run(sender, 3);

        sender.Cancel();
        press.Update(4000);
        var after = Run(sender, 5);

        Assert.All(after.Take(3), p => Assert.True(p.Event!.Value.End));
        Assert.All(after.Take(3), p => Assert.Equal(480, p.Event!.Value.Duration));
        Assert.All(after.Skip(3), p => Assert.Null(p.Event));
    }

    [Fact]
    public void NextPacket_RelayedPress_AllocatesNothingPerPacket()
    {
        var sender = new TelephoneEventSender();
        var press = sender.StartPress(3, 10, 160, ended: false, TimeSpan.Zero);
        sender.NextPacket(0, out _, out _, out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 1; i < 1000; i++)
        {
            press.Update((i + 1) * 160);
            Assert.True(sender.NextPacket((uint)(i * 160), out _, out _, out _));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
