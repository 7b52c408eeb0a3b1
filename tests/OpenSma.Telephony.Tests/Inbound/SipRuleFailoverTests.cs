using OpenSma.Engine;
using OpenSma.Sip.Dialogs;
using OpenSma.Telephony.Tests.Support;

namespace OpenSma.Telephony.Tests.Inbound;

/// <summary>SIP rule targets in priority order and the per-SMA call limit, with real INVITEs over loopback.</summary>
public sealed class SipRuleFailoverTests
{
    [Fact]
    public async Task IncomingCall_FirstTargetsHandlerFails_SecondTargetAnswersAndPlays()
    {
        await using var rig = await Rig.StartAsync();
        var brokenCalls = 0;
        rig.Handlers.Register("broken", (_, _) =>
        {
            Interlocked.Increment(ref brokenCalls);
            return ValueTask.FromException<ReadOnlyMemory<byte>>(new InvalidOperationException("the handler crashed"));
        });
        await rig.AddSmaAsync("sma-1", "broken");
        await rig.AddSmaAsync("sma-2");
        var rule = await rig.AddRuleAsync(Rig.Number, false, "sma-1", "sma-2");
        var prompt = await rig.AddPromptAsync("hello.wav", TimeSpan.FromSeconds(1));
        rig.Handler.Script = e => ScriptedHandler.Type(e) switch
        {
            "NEW_INBOUND_CALL" => "[" + Rig.PlayAudio(prompt) + "]",
            "ACTION_SUCCESSFUL" => """[{"Type":"Hangup","Parameters":{"SipResponseCode":"0"}}]""",
            _ => null,
        };
        await using var phone = await rig.NewPhoneAsync();

        var call = await phone.CallAsync(rig.SipAddress, Rig.Number);

        Assert.Equal(200, call.FinalStatus);
        Assert.True(Volatile.Read(ref brokenCalls) >= 1);
        var first = rig.Handler.Events[0];
        Assert.Equal("NEW_INBOUND_CALL", ScriptedHandler.Type(first));
        Assert.Equal("sma-2", (string?)first["CallDetails"]!["SipMediaApplicationId"]);
        Assert.Equal(rule.Id, (string?)first["CallDetails"]!["SipRuleId"]);
        Assert.Equal(SipEndReason.RemoteHangUp, (await call.Ended.WaitAsync(Rig.Patience)).Reason);
        Assert.InRange(call.LoudFrames(), 40, 60);
        await rig.Handler.WaitForAsync("HANGUP");
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task IncomingCall_EveryTargetsHandlerFails_Gets480()
    {
        await using var rig = await Rig.StartAsync();
        rig.Handlers.Register("broken", (_, _) => ValueTask.FromException<ReadOnlyMemory<byte>>(new InvalidOperationException("the handler crashed")));
        await rig.AddSmaAsync("sma-1", "broken");
        await rig.AddSmaAsync("sma-2", "broken");
        await rig.AddRuleAsync(Rig.Number, false, "sma-1", "sma-2");
        await using var phone = await rig.NewPhoneAsync();

        var call = await phone.CallAsync(rig.SipAddress, Rig.Number);

        Assert.Equal(480, call.FinalStatus);
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task IncomingCall_EveryTargetAtItsCallLimit_Gets503_AndIsTakenAgainOnceACallEnds()
    {
        await using var rig = await Rig.StartAsync();
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        var prompt = await rig.AddPromptAsync("long.wav", TimeSpan.FromSeconds(20));
        rig.Handler.Script = e => ScriptedHandler.Type(e) switch
        {
            "NEW_INBOUND_CALL" => "[" + Rig.PlayAudio(prompt) + "]",
            _ => null,
        };
        // The same telephony, attached to an engine that lets each SMA run one call at a time.
        var limited = new CallEngine(
            new EngineOptions { MaxActiveCallsPerSipMediaApplication = 1 }, TimeProvider.System, rig.Objects, rig.Telephony.LegFactory, [rig.Handlers]);
        rig.Telephony.Attach(limited).CallStarted += (leg, _) => { lock (rig.Legs) { rig.Legs.Add(leg); } };
        await using var phone = await rig.NewPhoneAsync();
        try
        {
            var first = await phone.CallAsync(rig.SipAddress, Rig.Number);
            var second = await phone.CallAsync(rig.SipAddress, Rig.Number);

            Assert.Equal(200, first.FinalStatus);
            Assert.Equal(503, second.FinalStatus);
            Assert.Equal(1, limited.ActiveCalls("sma-1"));
            Assert.Single(rig.Handler.Events, e => ScriptedHandler.Type(e) == "NEW_INBOUND_CALL");

            await first.HangUpAsync().WaitAsync(Rig.Patience);
            await rig.Handler.WaitForAsync("HANGUP");
            var deadline = DateTime.UtcNow + Rig.Patience;
            while (limited.ActiveTransactions > 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            Assert.Equal(0, limited.ActiveCalls("sma-1"));
            rig.Handler.Script = _ => """[{"Type":"Hangup","Parameters":{"SipResponseCode":"603"}}]""";
            var third = await phone.CallAsync(rig.SipAddress, Rig.Number);
            Assert.Equal(603, third.FinalStatus);
            while (limited.ActiveTransactions > 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            Assert.Equal(0, limited.ActiveTransactions);
            await rig.AssertAllReleasedAsync();
        }
        finally
        {
            foreach (var t in limited.Transactions)
            {
                t.Abort("test over");
            }
        }
    }
}
