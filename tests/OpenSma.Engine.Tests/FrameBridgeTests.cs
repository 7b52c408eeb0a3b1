using Microsoft.Extensions.Time.Testing;
using OpenSma.Engine.Contracts;
using OpenSma.Engine.Legs;
using OpenSma.Engine.Tests.Support;
using OpenSma.Engine.Virtual;
using OpenSma.Media.Audio;
using OpenSma.Media.Clock;
using static OpenSma.Engine.Tests.Support.ScriptedHandler;

namespace OpenSma.Engine.Tests;

/// <summary>
/// The frame-level bridge seam (<see cref="FrameBridge"/>, <see cref="IBridgeEndpoint"/>) between
/// legs on different media clocks, on virtual time. The SIP side of the same seam is tested over
/// loopback in OpenSma.Telephony.Tests (Legs/MixedBridgeTests).
/// </summary>
public sealed class FrameBridgeTests
{
    private const string Callee = "+14155550123";
    private const int SamplesPerSecond = PcmAudio.SampleRate;

    private static readonly DateTimeOffset Start = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private static void Run(FakeTimeProvider time, TimeSpan duration)
    {
        for (var t = TimeSpan.Zero; t < duration; t += MediaClock.FrameInterval)
        {
            time.Advance(MediaClock.FrameInterval);
        }
    }

    private static (VirtualNetwork Callers, VirtualNetwork Callees, VirtualLeg A, VirtualLeg B) TwoClocks(FakeTimeProvider time, VirtualParty a, VirtualParty b)
    {
        var callers = new VirtualNetwork(time);
        var callees = new VirtualNetwork(time);
        callees.Register(Callee, b);
        var legA = callers.CreateInbound("+15559870000", "+15551230000", a);
        var legB = (VirtualLeg)callees.CreateOutbound(new OutboundLegRequest("+15559870000", Callee, null));
        return (callers, callees, legA, legB);
    }

    private static double Rms(VirtualLeg leg, double fromSeconds, double toSeconds) =>
        Signal.Rms(leg.Heard().Samples.Span[(int)(fromSeconds * SamplesPerSecond)..(int)(toSeconds * SamplesPerSecond)]);

    [Fact]
    public async Task BridgeWith_LegsOnTwoClocks_RelaysAudioAndSignalledDigitsBothWays_EachLegStillReportsItsOwnDigits()
    {
        var time = new FakeTimeProvider(Start);
        var (callers, callees, a, b) = TwoClocks(
            time,
            VirtualParty.Answering(new SayCue(TimeSpan.FromSeconds(1), ToneGenerator.Beep(TimeSpan.FromSeconds(1), 500)), new DigitCue(TimeSpan.FromSeconds(2.5), '5')),
            VirtualParty.Answering(new SayCue(TimeSpan.FromSeconds(3), ToneGenerator.Beep(TimeSpan.FromSeconds(1), 700)), new DigitCue(TimeSpan.FromSeconds(4.5), '#')));
        using var _ = callers;
        using var __ = callees;
        var seenA = new DigitLog();
        var seenB = new DigitLog();
        a.Attach(seenA);
        b.Attach(seenB);
        await a.AnswerAsync(CancellationToken.None);
        await b.AnswerAsync(CancellationToken.None);

        a.BridgeWith(b);
        b.BridgeWith(a);
        Assert.NotNull(a.Bridge);
        Assert.Same(a.Bridge, b.Bridge);
        Run(time, TimeSpan.FromSeconds(5.5));

        // Both heard buffers start at t = 0. A speaks at 1-2 s, B at 3-4 s; the bridge adds a few frames of latency.
        Assert.True(Rms(b, 1.1, 1.9) > 1000, "B heard A through the bridge");
        Assert.True(Rms(a, 3.1, 3.9) > 1000, "A heard B through the bridge");
        Assert.True(Rms(a, 1.1, 1.9) < 50, "A does not hear itself");
        Assert.True(Rms(b, 3.1, 3.9) < 50, "B does not hear itself");
        Assert.Equal("#", a.DigitsHeard());
        Assert.Equal("5", b.DigitsHeard());
        Assert.Equal("5", seenA.Digits);
        Assert.Equal("#", seenB.Digits);
    }

    [Fact]
    public async Task BridgeWithNull_Unbridges_LeavesNoSinkFeedOrDigitObserver_AndAudioNoLongerCrosses()
    {
        var time = new FakeTimeProvider(Start);
        var (callers, callees, a, b) = TwoClocks(
            time,
            VirtualParty.Answering(new SayCue(TimeSpan.FromSeconds(2), ToneGenerator.Beep(TimeSpan.FromSeconds(1), 500)), new DigitCue(TimeSpan.FromSeconds(2.5), '1')),
            VirtualParty.Answering());
        using var _ = callers;
        using var __ = callees;
        await a.AnswerAsync(CancellationToken.None);
        await b.AnswerAsync(CancellationToken.None);
        a.BridgeWith(b);
        b.BridgeWith(a);
        Assert.Equal((3, 3), (a.BridgeAttachments, b.BridgeAttachments));
        var bridge = a.Bridge!;
        Run(time, TimeSpan.FromSeconds(1));

        a.BridgeWith(null);
        b.BridgeWith(null);
        Run(time, TimeSpan.FromSeconds(3));

        Assert.True(bridge.IsDisposed);
        Assert.Null(a.Bridge);
        Assert.Null(b.Bridge);
        Assert.Equal((0, 0), (a.BridgeAttachments, b.BridgeAttachments));
        Assert.True(Rms(b, 2.1, 2.9) < 50, "nothing crosses once unbridged");
        Assert.Equal(string.Empty, b.DigitsHeard());
        Assert.Equal((LegState.Connected, LegState.Connected), (a.State, b.State));
    }

    [Fact]
    public async Task FarEndHangsUp_EndsTheBridge_OtherLegKeepsItsCall_AndTheEndedLegLeavesTheClock()
    {
        var time = new FakeTimeProvider(Start);
        var (callers, callees, a, b) = TwoClocks(time, VirtualParty.Answering(), VirtualParty.Answering(new HangupCue(TimeSpan.FromSeconds(1))));
        using var _ = callers;
        using var __ = callees;
        var seenB = new DigitLog();
        b.Attach(seenB);
        await a.AnswerAsync(CancellationToken.None);
        await b.AnswerAsync(CancellationToken.None);
        a.BridgeWith(b);
        b.BridgeWith(a);
        Assert.Equal(1, callees.Clock.ListenerCount);

        Run(time, TimeSpan.FromSeconds(2));

        Assert.Equal(0, seenB.EndedWith);
        Assert.Equal((LegState.Connected, LegState.Ended), (a.State, b.State));
        Assert.Null(a.Bridge);
        Assert.Equal((0, 0), (a.BridgeAttachments, b.BridgeAttachments));
        Assert.Equal(0, callees.Clock.ListenerCount);
        Assert.Equal(1, callers.Clock.ListenerCount);
        // An ended leg cannot be bridged again.
        a.BridgeWith(b);
        Assert.Null(a.Bridge);
        Assert.Equal(0, a.BridgeAttachments);
    }

    [Fact]
    public async Task BridgeWith_ANewPartner_LeavesTheOldBridgeFirst()
    {
        var time = new FakeTimeProvider(Start);
        using var network = new VirtualNetwork(time);
        var a = network.CreateInbound("+15559870000", "+15551230000", VirtualParty.Answering());
        var b = (VirtualLeg)network.CreateOutbound(new OutboundLegRequest("+15559870000", "+15550000001", null));
        var c = (VirtualLeg)network.CreateOutbound(new OutboundLegRequest("+15559870000", "+15550000002", null));
        foreach (var leg in new ICallLeg[] { a, b, c })
        {
            await leg.AnswerAsync(CancellationToken.None);
        }

        a.BridgeWith(b);
        var first = a.Bridge!;
        a.BridgeWith(c);

        Assert.True(first.IsDisposed);
        Assert.Null(b.Bridge);
        Assert.Equal(0, b.BridgeAttachments);
        Assert.Same(a.Bridge, c.Bridge);
        Assert.Same(c, a.Bridge!.Other(a));
        Assert.Null(FrameBridge.Join(a, a));
    }

    [Fact]
    public void WithFallback_RingsRegisteredNumbersVirtually_SendsOtherLegsToTheFallback()
    {
        var time = new FakeTimeProvider(Start);
        using var phones = new VirtualNetwork(time);
        using var elsewhere = new VirtualNetwork(time);
        phones.Register(Callee, VirtualParty.Answering());
        var factory = phones.WithFallback(elsewhere);

        var virtualLeg = factory.CreateOutbound(new OutboundLegRequest("+15559870000", Callee, null));
        var other = factory.CreateOutbound(new OutboundLegRequest("+15559870000", "+15550000009", null));

        Assert.Contains(virtualLeg, phones.Legs);
        Assert.Contains(other, elsewhere.Legs);
        Assert.DoesNotContain(other, phones.Legs);
    }

    /// <summary>
    /// The engine's CallAndBridge with LEG-A on one media clock and LEG-B on another (as with a SIP
    /// caller and a virtual callee): audio and digits cross, HANGUPs follow spec §3.6/§7.2, and
    /// nothing stays on either clock.
    /// </summary>
    [Fact]
    public async Task CallAndBridge_LegsOnDifferentClocks_AudioAndDigitsCross_HangupsFollowTheSpec_NothingLeaks()
    {
        await using var h = new EngineHarness();
        using var callers = new VirtualNetwork(h.Time);
        h.Network.Register(Callee, new VirtualParty
        {
            RingFor = TimeSpan.FromSeconds(2),
            Cues =
            [
                new SayCue(TimeSpan.FromSeconds(1), ToneGenerator.Beep(TimeSpan.FromSeconds(1), 600)),
                new DigitCue(TimeSpan.FromSeconds(3), '9'),
                new HangupCue(TimeSpan.FromSeconds(5)),
            ],
        });
        h.Handler.Reply = e => (e.Type(), e.Str("ActionData.Parameters.ParticipantTag")) switch
        {
            (EventTypes.NewInboundCall, _) => ActionList("{\"Type\":\"CallAndBridge\",\"Parameters\":{\"CallerIdNumber\":\"+15559870000\",\"Endpoints\":[{\"BridgeEndpointType\":\"PSTN\",\"Uri\":\"" + Callee + "\"}]}}"),
            (EventTypes.Hangup, "LEG-B") => ActionList(A.Hangup("\"ParticipantTag\":\"LEG-A\"")),
            _ => null,
        };
        // The caller answers at t = 2 s (when B answers) and speaks at t = 5.5-6.5 s, pressing 4 at t = 6 s.
        var caller = callers.CreateInbound(EngineHarness.Caller, EngineHarness.Called, VirtualParty.Answering(
            new SayCue(TimeSpan.FromSeconds(3.5), ToneGenerator.Beep(TimeSpan.FromSeconds(1), 900)),
            new DigitCue(TimeSpan.FromSeconds(4), '4')));
        var tx = h.Engine.StartInboundCall(h.Application, caller, "rule-1");

        await h.RunToEndAsync(tx);

        Assert.Equal([EventTypes.NewInboundCall, EventTypes.ActionSuccessful, EventTypes.Hangup, EventTypes.Hangup], h.Handler.EventTypes);
        Assert.Equal(["LEG-B", "LEG-A"], h.Handler.Events.Skip(2).Select(e => e.Str("ActionData.Parameters.ParticipantTag")));
        var callee = h.Network.Legs.Single(l => l.To == Callee);
        // B speaks at t = 3-4 s (A's buffer starts at its offer, t = 0); A speaks at t = 5.5-6.5 s (B's starts at its answer, t = 2 s).
        Assert.True(Rms(caller, 3.1, 3.9) > 1000, "the caller heard the callee across clocks");
        Assert.True(Rms(callee, 3.6, 4.4) > 1000, "the callee heard the caller across clocks");
        Assert.Equal("9", caller.DigitsHeard());
        Assert.Equal("4", callee.DigitsHeard());
        Assert.Equal((LegState.Ended, LegState.Ended), (caller.State, callee.State));
        Assert.Equal((0, 0), (caller.BridgeAttachments, callee.BridgeAttachments));
        Assert.Equal((0, 0), (callers.Clock.ListenerCount, h.Network.Clock.ListenerCount));
    }

    /// <summary>
    /// After LEG-B leaves, LEG-A is bridged again by a new CallAndBridge (spec §10.3): the first
    /// bridge left nothing on LEG-A, and the new LEG-B (on another clock) hears and is heard.
    /// </summary>
    [Fact]
    public async Task CallAndBridge_AgainAfterBLeft_FirstBridgeLeavesNothing_SecondRelays()
    {
        const string second = "+14155550124";
        await using var h = new EngineHarness();
        using var others = new VirtualNetwork(h.Time);
        h.Network.Register(Callee, new VirtualParty { RingFor = TimeSpan.FromSeconds(1), Cues = [new HangupCue(TimeSpan.FromSeconds(1))] });
        others.Register(second, new VirtualParty
        {
            RingFor = TimeSpan.FromSeconds(1),
            Cues = [new SayCue(TimeSpan.FromSeconds(1), ToneGenerator.Beep(TimeSpan.FromSeconds(1), 600)), new HangupCue(TimeSpan.FromSeconds(3))],
        });
        VirtualLeg? caller = null;
        var attachmentsBetweenBridges = -1;
        var hangupsOfB = 0;
        static string BridgeTo(string number) =>
            ActionList("{\"Type\":\"CallAndBridge\",\"Parameters\":{\"CallerIdNumber\":\"+15559870000\",\"Endpoints\":[{\"BridgeEndpointType\":\"PSTN\",\"Uri\":\"" + number + "\"}]}}");
        h.Handler.Reply = e =>
        {
            switch (e.Type(), e.Str("ActionData.Parameters.ParticipantTag"))
            {
                case (EventTypes.NewInboundCall, _):
                    return BridgeTo(Callee);
                case (EventTypes.Hangup, "LEG-B") when ++hangupsOfB == 1:
                    attachmentsBetweenBridges = caller!.BridgeAttachments;
                    return BridgeTo(second);
                case (EventTypes.Hangup, "LEG-B"):
                    return ActionList(A.Hangup("\"ParticipantTag\":\"LEG-A\""));
                default:
                    return null;
            }
        };

        // The factory rings the first callee on the harness's clock and the second on another one.
        var engine = new CallEngine(new EngineOptions(), h.Time, h.Store, others.WithFallback(h.Network), [h.Handlers]);
        caller = h.Network.CreateInbound(EngineHarness.Caller, EngineHarness.Called, VirtualParty.Answering());
        var tx = engine.StartInboundCall(h.Application, caller, "rule-1");
        var driver = new OpenSma.Engine.Runtime.VirtualTimeDriver(engine.Activity, h.Time.Advance) { IdleTimeout = TimeSpan.FromSeconds(20) };
        Assert.True(await driver.RunUntilAsync(() => tx.Completion.IsCompleted, TimeSpan.FromMinutes(1)), string.Join(", ", h.Handler.EventTypes));

        Assert.Equal(
            [EventTypes.NewInboundCall, EventTypes.ActionSuccessful, EventTypes.Hangup, EventTypes.ActionSuccessful, EventTypes.Hangup, EventTypes.Hangup],
            h.Handler.EventTypes);
        Assert.Equal(0, attachmentsBetweenBridges);
        var secondLeg = others.Legs.Single();
        // The caller was answered at t = 1 s; the second callee answered at about t = 3 s and spoke 1 s later.
        Assert.True(Rms(caller, 4.2, 4.8) > 1000, "the caller heard the second callee");
        Assert.Equal((0, 0), (caller.BridgeAttachments, secondLeg.BridgeAttachments));
        Assert.Equal((0, 0), (h.Network.Clock.ListenerCount, others.Clock.ListenerCount));
    }

    private sealed class DigitLog : ILegObserver
    {
        private readonly Lock _gate = new();
        private string _digits = string.Empty;

        public string Digits
        {
            get
            {
                lock (_gate)
                {
                    return _digits;
                }
            }
        }

        public int? EndedWith { get; private set; }

        public void OnRinging(ICallLeg leg)
        {
        }

        public void OnAnswered(ICallLeg leg)
        {
        }

        public void OnDigit(ICallLeg leg, char digit)
        {
            lock (_gate)
            {
                _digits += digit;
            }
        }

        public void OnEnded(ICallLeg leg, int sipResponseCode) => EndedWith = sipResponseCode;
    }
}
