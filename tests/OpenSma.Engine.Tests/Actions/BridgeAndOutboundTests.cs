using OpenSma.Engine.Contracts;
using OpenSma.Engine.Control;
using OpenSma.Engine.Tests.Support;
using OpenSma.Engine.Virtual;
using OpenSma.Media.Audio;
using static OpenSma.Engine.Tests.Support.ScriptedHandler;

namespace OpenSma.Engine.Tests.Actions;

/// <summary>CallAndBridge (spec §7.10, §10.3), outbound calls (§10.2) and leg targeting (§6).</summary>
public sealed class BridgeAndOutboundTests
{
    private const string Callee = "+14155550123";

    private static string Bridge(string extra = "") =>
        "{\"Type\":\"CallAndBridge\",\"Parameters\":{\"CallerIdNumber\":\"+15559870000\",\"Endpoints\":[{\"BridgeEndpointType\":\"PSTN\",\"Uri\":\"" + Callee + "\"}]" + extra + "}}";

    [Fact]
    public async Task CallAndBridge_Answered_BothLegsConnected_AudioRelayed_BHangupReportedAndReplyExecuted()
    {
        await using var h = new EngineHarness();
        h.Network.Register(Callee, new VirtualParty
        {
            RingFor = TimeSpan.FromSeconds(3),
            Cues = [new SayCue(TimeSpan.FromSeconds(1), ToneGenerator.Beep(TimeSpan.FromSeconds(1), 600)), new HangupCue(TimeSpan.FromSeconds(4))],
        });
        h.Handler.Reply = e => (e.Type(), e.Str("ActionData.Type")) switch
        {
            (EventTypes.NewInboundCall, _) => ActionList(Bridge()),
            (EventTypes.Hangup, _) when e.Str("ActionData.Parameters.ParticipantTag") == "LEG-B" => ActionList(A.Pause(500, ",\"ParticipantTag\":\"LEG-A\""), A.Hangup("\"ParticipantTag\":\"LEG-A\"")),
            _ => null,
        };
        var (tx, legA) = h.StartInbound(new SayCue(TimeSpan.FromSeconds(3.5), ToneGenerator.Beep(TimeSpan.FromSeconds(1), 900)));
        await h.RunToEndAsync(tx);

        Assert.Equal([EventTypes.NewInboundCall, EventTypes.ActionSuccessful, EventTypes.Hangup, EventTypes.Hangup], h.Handler.EventTypes);
        var bridged = h.Handler.Events[1];
        Assert.Equal("CallAndBridge", bridged.Str("ActionData.Type"));
        Assert.Equal(legA.CallId, bridged.Str("ActionData.Parameters.CallId"));
        var parts = bridged.Participants();
        Assert.Equal(["LEG-A", "LEG-B"], parts.Select(p => p.Str("ParticipantTag")));
        Assert.All(parts, p => Assert.Equal("Connected", p.Str("Status")));
        Assert.Equal("Outbound", parts[1].Str("Direction"));
        Assert.Equal(Callee, parts[1].Str("To"));
        var bHangup = h.Handler.Events[2];
        Assert.Equal("LEG-B", bHangup.Str("ActionData.Parameters.ParticipantTag"));
        Assert.Equal("Disconnected", bHangup.Participants()[1].Str("Status"));
        Assert.Equal("Connected", bHangup.Participants()[0].Str("Status"));

        // LEG-A was answered only when B answered (after 3 s of ringback as early media).
        var legB = h.Network.Legs.Single(l => l.To == Callee);
        Assert.Equal(legB.ConnectedAt, legA.ConnectedAt);
        var heardByA = legA.Heard().Samples.Span;
        Assert.True(Signal.Rms(heardByA[800..23200]) > 500, "A heard ringback while B rang");
        // B speaks 1 s after answering (t = 4-5 s): A's buffer starts at the offer (t = 0).
        Assert.True(Signal.Rms(heardByA[32800..39200]) > 1000, "A heard B speaking through the bridge");
        Assert.True(Signal.Rms(heardByA[24800..31200]) < 50, "nothing but B's voice reaches A once bridged");
        // A speaks 3.5 s after answering (t = 6.5 s): B's buffer starts at its answer (t = 3 s); B leaves at t = 7 s.
        Assert.True(Signal.Rms(legB.Heard().Samples.Span[28400..31600]) > 1000, "B heard A speaking through the bridge");
        Assert.Equal(0, h.Engine.ActiveTransactions);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    public async Task CallAndBridge_BAnswersAndLeavesBeforeTheBridgeIsMade_SuccessThenBHangup_CallEnds(int hangupAfterMs)
    {
        // B leaves while the ringback to A is still stopping (it stops at a frame boundary): the
        // handler hears the answer and then B's HANGUP, and can release A (spec §10.3).
        await using var h = new EngineHarness();
        h.Network.Register(Callee, new VirtualParty
        {
            RingFor = TimeSpan.FromSeconds(2),
            Cues = [new HangupCue(TimeSpan.FromMilliseconds(hangupAfterMs))],
        });
        h.Handler.Reply = e => (e.Type(), e.Str("ActionData.Type")) switch
        {
            (EventTypes.NewInboundCall, _) => ActionList(Bridge()),
            (EventTypes.Hangup, _) when e.Str("ActionData.Parameters.ParticipantTag") == "LEG-B" => ActionList(A.Hangup("\"ParticipantTag\":\"LEG-A\"")),
            _ => null,
        };
        var (tx, legA) = h.StartInbound();
        await h.RunToEndAsync(tx);

        Assert.Equal([EventTypes.NewInboundCall, EventTypes.ActionSuccessful, EventTypes.Hangup, EventTypes.Hangup], h.Handler.EventTypes);
        Assert.Equal("CallAndBridge", h.Handler.Events[1].Str("ActionData.Type"));
        Assert.Equal("LEG-B", h.Handler.Events[2].Str("ActionData.Parameters.ParticipantTag"));
        Assert.Equal("LEG-A", h.Handler.Events[3].Str("ActionData.Parameters.ParticipantTag"));
        Assert.Equal(Legs.LegState.Ended, legA.State);
        Assert.Equal(0, h.Engine.ActiveTransactions);
    }

    [Theory]
    [InlineData(VirtualAnswer.Busy)]
    [InlineData(VirtualAnswer.NoAnswer)]
    [InlineData(VirtualAnswer.Reject)]
    public async Task CallAndBridge_NotAnswered_FailsWithCallNotAnswered(VirtualAnswer answer)
    {
        await using var h = new EngineHarness();
        h.Network.Register(Callee, new VirtualParty { Answer = answer, RingFor = TimeSpan.FromSeconds(2) });
        h.Handler.Reply = e => e.Type() switch
        {
            EventTypes.NewInboundCall => ActionList(Bridge(",\"CallTimeoutSeconds\":\"10\"")),
            EventTypes.ActionFailed => ActionList(A.Hangup()),
            _ => null,
        };
        var start = h.Time.GetUtcNow();
        var (tx, legA) = h.StartInbound();
        await h.RunToEndAsync(tx);

        var failed = h.Handler.Events[1];
        Assert.Equal(EventTypes.ActionFailed, failed.Type());
        Assert.Equal("CallNotAnswered", failed.Str("ActionData.ErrorType"));
        Assert.Equal("Call not answered", failed.Str("ActionData.ErrorMessage"));
        Assert.Single(failed.Participants());
        var legB = h.Network.Legs.Single(l => l.To == Callee);
        Assert.Equal(Legs.LegState.Ended, legB.State);
        if (answer == VirtualAnswer.NoAnswer)
        {
            Assert.InRange((h.Time.GetUtcNow() - start).TotalSeconds, 10, 10.5);
        }

        // While B rang, A heard ringback.
        Assert.True(Signal.Rms(legA.Heard().Samples.Span[..8000]) > 500);
    }

    [Fact]
    public async Task CallAndBridge_CallerHangsUpWhileRinging_BIsCancelled_OnlyAHangupReported()
    {
        await using var h = new EngineHarness();
        h.Network.Register(Callee, new VirtualParty { Answer = VirtualAnswer.NoAnswer });
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall ? ActionList(A.Pause(200), Bridge()) : null;
        var (tx, _) = h.StartInbound(new HangupCue(TimeSpan.FromSeconds(3)));
        await h.RunToEndAsync(tx);

        Assert.Equal([EventTypes.NewInboundCall, EventTypes.Hangup], h.Handler.EventTypes);
        Assert.Equal(Legs.LegState.Ended, h.Network.Legs.Single(l => l.To == Callee).State);
    }

    [Theory]
    [InlineData(",\"Endpoints\":[]", "Invalid number of endpoints provided.")]
    [InlineData(",\"CallTimeoutSeconds\":121", "The MaxCallTimeout parameter is invalid. Timeout must be between 0 and 120 seconds.")]
    [InlineData(",\"SipHeaders\":{\"X-AMZN-Trace\":\"1\"}", "Invalid SIP header(s) provided: X-AMZN-Trace")]
    public async Task CallAndBridge_BadParameters_DocumentedErrors(string extra, string message)
    {
        await using var h = new EngineHarness();
        var action = extra.StartsWith(",\"Endpoints\"", StringComparison.Ordinal)
            ? """{"Type":"CallAndBridge","Parameters":{"CallerIdNumber":"+15559870000","Endpoints":[]}}"""
            : Bridge(extra);
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall ? ActionList(action) : ActionList(A.Hangup());
        var (tx, _) = h.StartInbound();
        await h.RunToEndAsync(tx);
        Assert.Equal("InvalidActionParameter", h.Handler.Events[1].Str("ActionData.ErrorType"));
        Assert.Equal(message, h.Handler.Events[1].Str("ActionData.ErrorMessage"));
    }

    [Fact]
    public async Task OutboundCall_NewOutboundCallRingingAnswered_SequenceAndRepliesIgnoredUntilAnswer()
    {
        await using var h = new EngineHarness();
        h.Network.Register(Callee, new VirtualParty { RingFor = TimeSpan.FromSeconds(4) });
        h.Handler.Reply = e => e.Type() switch
        {
            EventTypes.NewOutboundCall or EventTypes.Ringing => WithAttributes("{\"ignored\":\"yes\"}", A.Hangup()),
            EventTypes.CallAnswered => ActionList(A.Pause(500), A.Hangup()),
            _ => null,
        };
        var result = await h.Engine.CreateCallAsync(
            new OutboundCallRequest(h.Application, "+15559870000", Callee, new Dictionary<string, string> { ["X-Order"] = "7" }, null),
            default);
        Assert.Equal(CallControlStatus.Accepted, result.Status);
        Assert.True(h.Engine.TryGetTransaction(result.TransactionId!, out var tx));
        await h.RunToEndAsync(tx);

        Assert.Equal([EventTypes.NewOutboundCall, EventTypes.Ringing, EventTypes.CallAnswered, EventTypes.Hangup], h.Handler.EventTypes);
        Assert.Equal([1, 2, 3, 4], h.Handler.Events.Select(e => e.GetProperty("Sequence").GetInt32()));
        var first = h.Handler.Events[0];
        Assert.False(first.GetProperty("CallDetails").TryGetProperty("SipRuleId", out _));
        Assert.Equal("Outbound", first.Participants()[0].Str("Direction"));
        Assert.Equal(Callee, first.Participants()[0].Str("To"));
        Assert.False(first.Participants()[0].TryGetProperty("Status", out _));
        Assert.Equal("Connected", h.Handler.Events[2].Participants()[0].Str("Status"));
        // Attributes from ignored replies were not applied.
        Assert.False(h.Handler.Events[2].GetProperty("CallDetails").TryGetProperty("TransactionAttributes", out _));
        Assert.Equal("7", h.Network.Legs.Single().SipHeaders!["X-Order"]);
    }

    [Fact]
    public async Task OutboundCall_Busy_HangupWith486()
    {
        await using var h = new EngineHarness();
        h.Network.Register(Callee, new VirtualParty { Answer = VirtualAnswer.Busy });
        var result = await h.Engine.CreateCallAsync(new OutboundCallRequest(h.Application, "+15559870000", Callee, null, null), default);
        Assert.True(h.Engine.TryGetTransaction(result.TransactionId!, out var tx));
        await h.RunToEndAsync(tx);

        Assert.Equal([EventTypes.NewOutboundCall, EventTypes.Ringing, EventTypes.Hangup], h.Handler.EventTypes);
        Assert.Equal(486, h.Handler.Events[2].ActionData().GetProperty("Parameters").GetProperty("SipResponseCode").GetInt32());
        Assert.Equal("Disconnected", h.Handler.Events[2].Participants()[0].Str("Status"));
    }

    [Theory]
    [InlineData("\"CallId\":\"not-a-leg\"")]
    [InlineData("\"ParticipantTag\":\"LEG-B\"")]
    [InlineData("\"ParticipantTag\":\"LEG-C\"")]
    public async Task LegTargeting_UnknownOrAbsentLeg_InvalidActionParameter(string selector)
    {
        await using var h = new EngineHarness();
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall ? ActionList(A.Pause(300, "," + selector)) : ActionList(A.Hangup());
        var (tx, _) = h.StartInbound();
        await h.RunToEndAsync(tx);
        Assert.Equal("InvalidActionParameter", h.Handler.Events[1].Str("ActionData.ErrorType"));
        Assert.Equal("CallId or ParticipantTag parameter for action is invalid.", h.Handler.Events[1].Str("ActionData.ErrorMessage"));
    }

    [Fact]
    public async Task LegTargeting_CallIdWinsOverParticipantTag_AndEmptyTagIsAbsent()
    {
        await using var h = new EngineHarness();
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall
            ? ActionList(A.Pause(300, $",\"CallId\":\"{e.Participants()[0].Str("CallId")}\",\"ParticipantTag\":\"LEG-B\""), A.Pause(300, ",\"ParticipantTag\":\"\""))
            : ActionList(A.Hangup());
        var (tx, leg) = h.StartInbound();
        await h.RunToEndAsync(tx);
        Assert.Equal(EventTypes.ActionSuccessful, h.Handler.Events[1].Type());
        Assert.Equal(leg.CallId, h.Handler.Events[1].Str("ActionData.Parameters.CallId"));
    }

    [Fact]
    public async Task LegTargeting_CallIdRequired_ForSendDigits()
    {
        await using var h = new EngineHarness();
        h.Handler.Reply = e => e.Type() == EventTypes.NewInboundCall
            ? ActionList(A.Action("SendDigits", "{\"ParticipantTag\":\"LEG-A\",\"Digits\":\"1\"}"))
            : ActionList(A.Hangup());
        var (tx, _) = h.StartInbound();
        await h.RunToEndAsync(tx);
        Assert.Equal("CallId or ParticipantTag parameter for action is invalid.", h.Handler.Events[1].Str("ActionData.ErrorMessage"));
    }

}
