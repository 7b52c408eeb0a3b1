using OpenSma.Media.Codecs;
using OpenSma.Media.Dtmf;
using OpenSma.Media.Mixing;
using OpenSma.Media.Rtp;
using OpenSma.Media.Tests.TestSupport;

namespace OpenSma.Media.Tests.Mixing;

/// <summary>Digits signalled on one bridged leg reach the other (CallAndBridge to an IVR).</summary>
public sealed class LegBridgeDigitTests
{
    private static void PressOnPeerOf(LegHarness harness, RtpSession leg, char digit, ushort firstSequence, uint timestamp)
    {
        // 100 ms press: five packets, then three end packets (RFC 4733 2.5.1.4).
        for (ushort i = 0; i < 5; i++)
        {
            harness.PeerSendsEvent(leg, (ushort)(firstSequence + i), timestamp, digit, (ushort)((i + 1) * 160), end: false, marker: i == 0);
            harness.Tick();
        }

        for (ushort i = 5; i < 8; i++)
        {
            harness.PeerSendsEvent(leg, (ushort)(firstSequence + i), timestamp, digit, 800, end: true);
        }

        harness.Tick();
    }

    private static List<TelephoneEvent> SentEvents(LegHarness harness, RtpSession leg) =>
        [.. harness.SentTelephoneEvents(leg).Select(e => e.Value)];

    [Fact]
    public async Task Bridge_Rfc4733DigitOnOneLeg_IsSentAsRfc4733OnTheOther_AndStillReportedWhereReceived()
    {
        using var harness = new LegHarness();
        var a = harness.AddLeg(AudioCodec.Pcmu);
        var b = harness.AddLeg(AudioCodec.Pcma);
        using var bridge = new LegBridge(a, b);

        PressOnPeerOf(harness, a, '7', 100, 16000);
        PressOnPeerOf(harness, a, '#', 108, 20000);
        for (var i = 0; i < 20; i++)
        {
            harness.Tick();
        }

        var events = SentEvents(harness, b);
        Assert.Equal([TelephoneEvent.FromDigit('7')!.Value, TelephoneEvent.FromDigit('#')!.Value], events.Select(e => e.Event).Distinct());
        Assert.Equal(6, events.Count(e => e.End)); // three end packets per digit
        Assert.Empty(SentEvents(harness, a));

        Assert.Equal('7', (await a.Digits.Reader.ReadAsync()).Digit);
        Assert.Equal('#', (await a.Digits.Reader.ReadAsync()).Digit);
        Assert.False(b.Digits.Reader.TryRead(out _));
    }

    [Fact]
    public void Bridge_OtherLegWithoutTelephoneEvent_GetsTheDigitAsTones()
    {
        using var harness = new LegHarness();
        var a = harness.AddLeg(AudioCodec.Pcmu);
        var b = harness.AddLeg(AudioCodec.Pcmu, telephoneEvent: false);
        using var bridge = new LegBridge(a, b);
        var detector = new InBandDtmfDetector();
        var found = new List<char>();

        PressOnPeerOf(harness, a, '5', 1, 8000);
        for (var i = 0; i < 20; i++)
        {
            harness.Tick();
        }

        // Everything b sent, decoded in order, through the in-band detector.
        foreach (var datagram in harness.TransportOf(b).SentRtp)
        {
            Assert.True(RtpPacket.TryRead(datagram, out var header, out var payload));
            Assert.Equal(0, header.PayloadType);
            var samples = new short[payload.Length];
            AudioCodec.Pcmu.Decode(payload, samples);
            if (detector.Process(samples) is { } digit)
            {
                found.Add(digit);
            }
        }

        Assert.Equal(['5'], found);
    }

    [Fact]
    public void Bridge_SipInfoDigit_IsRelayed()
    {
        using var harness = new LegHarness();
        var a = harness.AddLeg(AudioCodec.Pcmu);
        var b = harness.AddLeg(AudioCodec.Pcmu);
        using var bridge = new LegBridge(a, b);

        b.Digits.OnSipInfo('9');
        for (var i = 0; i < 10; i++)
        {
            harness.Tick();
        }

        Assert.Equal([TelephoneEvent.FromDigit('9')!.Value], SentEvents(harness, a).Select(e => e.Event).Distinct());
    }

    [Fact]
    public void Bridge_InBandDigit_IsNotRelayedAsAnEvent()
    {
        using var harness = new LegHarness();
        var a = harness.AddLeg(AudioCodec.Pcmu, detectInBand: true);
        var b = harness.AddLeg(AudioCodec.Pcmu);
        using var bridge = new LegBridge(a, b);

        // The tone crosses in the audio already; an event as well would be a second press.
        var tone = OpenSma.Media.Audio.ToneGenerator.Dtmf('3', TimeSpan.FromMilliseconds(120)).Samples.ToArray();
        for (var offset = 0; offset + 160 <= tone.Length; offset += 160)
        {
            harness.PeerSends(a, tone.AsSpan(offset, 160));
            harness.Tick();
        }

        for (var i = 0; i < 10; i++)
        {
            harness.PeerSends(a, new short[160]);
            harness.Tick();
        }

        Assert.True(a.Digits.Reader.TryRead(out var digit) && digit.Digit == '3' && digit.Source == DtmfSource.InBand);
        Assert.Empty(SentEvents(harness, b));
    }

    [Fact]
    public void Bridge_WithoutRelay_OrDisposed_SendsNoDigits()
    {
        using var harness = new LegHarness();
        var a = harness.AddLeg(AudioCodec.Pcmu);
        var b = harness.AddLeg(AudioCodec.Pcmu);
        var c = harness.AddLeg(AudioCodec.Pcmu);
        using (new LegBridge(a, b, relayDigits: false))
        {
            PressOnPeerOf(harness, a, '1', 1, 8000);
        }

        var bridge = new LegBridge(a, c);
        bridge.Dispose();
        PressOnPeerOf(harness, a, '2', 9, 16000);
        for (var i = 0; i < 10; i++)
        {
            harness.Tick();
        }

        Assert.Empty(SentEvents(harness, b));
        Assert.Empty(SentEvents(harness, c));
    }
}
