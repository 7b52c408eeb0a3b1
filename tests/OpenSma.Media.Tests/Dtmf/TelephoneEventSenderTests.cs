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
}
