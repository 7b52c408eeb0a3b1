using Microsoft.Extensions.Time.Testing;
using OpenSma.Media.Dtmf;

namespace OpenSma.Media.Tests.Dtmf;

public sealed class TelephoneEventReceiverTests
{
    private static char? Feed(TelephoneEventReceiver receiver, uint timestamp, char digit, ushort duration, bool end) =>
        receiver.Process(timestamp, new TelephoneEvent(TelephoneEvent.FromDigit(digit)!.Value, end, 10, duration));

    [Fact]
    public void Process_FullEventWithTripleEnd_ReportsOnce()
    {
        var receiver = new TelephoneEventReceiver();
        var reported = new List<char?>
        {
            Feed(receiver, 8000, '3', 160, false),
            Feed(receiver, 8000, '3', 320, false),
            Feed(receiver, 8000, '3', 480, true),
            Feed(receiver, 8000, '3', 480, true),
            Feed(receiver, 8000, '3', 480, true),
        };

        Assert.Equal(['3', null, null, null, null], reported);
    }

    [Fact]
    public void Process_SameDigitPressedTwice_ReportsTwice()
    {
        var receiver = new TelephoneEventReceiver();

        Assert.Equal('1', Feed(receiver, 1000, '1', 800, true));
        Assert.Equal('1', Feed(receiver, 2600, '1', 160, false));
    }

    [Fact]
    public void Process_OnlyEndPacketsArrive_ReportsFromEnd()
    {
        var receiver = new TelephoneEventReceiver();

        Assert.Equal('#', Feed(receiver, 1000, '#', 800, true));
        Assert.Null(Feed(receiver, 1000, '#', 800, true));
    }

    [Fact]
    public void Process_LateEndOfPreviousEventAfterNewOne_IsIgnored()
    {
        var receiver = new TelephoneEventReceiver();
        Feed(receiver, 1000, '4', 160, false);
        Assert.Equal('5', Feed(receiver, 3000, '5', 160, false));

        Assert.Null(Feed(receiver, 1000, '4', 800, true)); // reordered retransmission
        Assert.Null(Feed(receiver, 500, '6', 800, true));   // older than the current event
    }

    [Fact]
    public void Process_NewTimelineBehindTheHeldPress_StartsANewPress()
    {
        // The peer's stream changed (new SSRC, restarted sender) while a press was held: its
        // timestamps now start far behind the old ones, and its presses must still be heard.
        var receiver = new TelephoneEventReceiver();
        Assert.Equal('1', Feed(receiver, 1_000_000, '1', 160, false));

        Assert.Equal('2', Feed(receiver, 1000, '2', 160, false));
        Assert.Null(Feed(receiver, 1000, '2', 320, true));
        Assert.Equal('3', Feed(receiver, 9000, '3', 160, false));
    }

    [Fact]
    public void Process_OlderEventAcrossTimestampWrap_IsIgnored()
    {
        var receiver = new TelephoneEventReceiver();
        Assert.Equal('4', Feed(receiver, 200, '4', 160, false)); // just after the wrap

        Assert.Null(Feed(receiver, uint.MaxValue - 2000, '5', 800, true)); // reordered, from before it
    }

    [Fact]
    public void Process_LongEventContinuedInNewSegment_IsOnePress()
    {
        var receiver = new TelephoneEventReceiver();
        Assert.Equal('0', Feed(receiver, 10_000, '0', 160, false));
        Assert.Null(Feed(receiver, 10_000, '0', 65535, false));

        // RFC 4733 2.5.1.3: the next segment starts at the old timestamp plus its duration.
        Assert.Null(Feed(receiver, 10_000 + 65535, '0', 160, false));
        Assert.Null(Feed(receiver, 10_000 + 65535, '0', 4000, true));
        Assert.Equal('0', Feed(receiver, 90_000, '0', 160, false));
    }

    [Fact]
    public void Process_NonDtmfEvent_ReportsNothing()
    {
        var receiver = new TelephoneEventReceiver();

        Assert.Null(receiver.Process(1000, new TelephoneEvent(16, false, 10, 160))); // flash
        Assert.Equal('2', Feed(receiver, 2000, '2', 160, false));
    }

    [Fact]
    public void Process_TimestampWrap_StillOrdersEvents()
    {
        var receiver = new TelephoneEventReceiver();
        Assert.Equal('1', Feed(receiver, uint.MaxValue - 100, '1', 800, true));

        Assert.Equal('2', Feed(receiver, 1000, '2', 160, false));
    }

    [Fact]
    public void Process_SegmentEndPacketsLost_NextSegmentAtFullLength_IsStillOnePress()
    {
        var receiver = new TelephoneEventReceiver();
        Assert.Equal('0', Feed(receiver, 10_000, '0', 160, false));
        Assert.Null(Feed(receiver, 10_000, '0', 65_440, false));

        // The packets carrying 0xFFFF were lost; the next segment starts at the full segment length.
        Assert.Null(Feed(receiver, 10_000 + 0xFFFF, '0', 480, false));
    }

    private sealed class PressLog : IDigitPressObserver
    {
        public List<DigitPress> Reports { get; } = [];

        public void OnPress(in DigitPress press) => Reports.Add(press);
    }

    private static (TelephoneEventReceiver Receiver, DigitStream Stream, PressLog Log) Wired()
    {
        var stream = new DigitStream(new FakeTimeProvider());
        var log = new PressLog();
        stream.AddPressObserver(log);
        return (new TelephoneEventReceiver { Presses = stream }, stream, log);
    }

    // What RtpSession does with Process's result.
    private static void Receive(TelephoneEventReceiver receiver, DigitStream stream, uint timestamp, char digit, ushort duration, bool end)
    {
        if (Feed(receiver, timestamp, digit, duration, end) is { } pressed)
        {
            stream.OnTelephoneEvent(pressed);
        }
    }

    [Fact]
    public void Wired_ReportsStartProgressAndOneEnd_WithTheLengthOverAllSegments()
    {
        var (receiver, stream, log) = Wired();

        Receive(receiver, stream, 10_000, '7', 160, false);
        Receive(receiver, stream, 10_000, '7', 320, false);
        Receive(receiver, stream, 10_000, '7', 320, false); // a repeat: no news
        Receive(receiver, stream, 10_000, '7', 0xFFFF, false);
        Receive(receiver, stream, 10_000 + 0xFFFF, '7', 160, false);
        Receive(receiver, stream, 10_000 + 0xFFFF, '7', 4000, true);
        Receive(receiver, stream, 10_000 + 0xFFFF, '7', 4000, true);
        Receive(receiver, stream, 10_000 + 0xFFFF, '7', 4000, true);

        Assert.Equal(
            [(true, DigitPressState.Held, 160), (false, DigitPressState.Held, 320), (false, DigitPressState.Held, 0xFFFF),
             (false, DigitPressState.Held, 0xFFFF + 160), (false, DigitPressState.Ended, 0xFFFF + 4000)],
            log.Reports.Select(r => (r.IsStart, r.State, r.Duration)));
        Assert.All(log.Reports, r => Assert.Equal(('7', DtmfSource.Rfc4733, log.Reports[0].Serial), (r.Digit, r.Source, r.Serial)));
    }

    [Fact]
    public void Wired_OnlyTheEndArrives_ReportsAnEndedPressAtOnce()
    {
        var (receiver, stream, log) = Wired();

        Receive(receiver, stream, 1_000, '#', 800, true);
        Receive(receiver, stream, 1_000, '#', 800, true);

        Assert.Equal([(true, DigitPressState.Ended, 800)], log.Reports.Select(r => (r.IsStart, r.State, r.Duration)));
    }

    [Fact]
    public void Wired_PressDroppedAsDuplicateOfSipInfo_ReportsNoProgress()
    {
        var (receiver, stream, log) = Wired();

        stream.OnSipInfo('3', TimeSpan.FromMilliseconds(250));
        Receive(receiver, stream, 1_000, '3', 160, false);
        Receive(receiver, stream, 1_000, '3', 2000, true);

        Assert.Equal([(DtmfSource.SipInfo, DigitPressState.Ended, 2000)], log.Reports.Select(r => (r.Source, r.State, r.Duration)));
    }
}
