using System.Collections.Concurrent;
using OpenSma.Media.Dtmf;
using OpenSma.Storage.Resources;
using OpenSma.Telephony.Tests.Outbound;
using OpenSma.Telephony.Tests.Support;

namespace OpenSma.Telephony.Tests.Legs;

/// <summary>
/// Two SIP legs bridged (CallAndBridge) over loopback: a key press on one leg reaches the other with
/// its real length, through FrameBridge and the SIP legs' press relays, not a fixed 100 ms press.
/// </summary>
public sealed class BridgedDigitLengthTests
{
    private const string VcArn = "arn:aws:chime:us-east-1:111122223333:vc/vc1";

    private static readonly string Bridge =
        "[{\"Type\":\"CallAndBridge\",\"Parameters\":{\"CallerIdNumber\":\"+15557654321\",\"Endpoints\":[{\"BridgeEndpointType\":\"AWS\",\"Arn\":\""
        + VcArn + "\",\"Uri\":\"5550\"}]}}]";

    private sealed class PressLog : IDigitPressObserver
    {
        public ConcurrentQueue<DigitPress> Reports { get; } = new();

        public void OnPress(in DigitPress press) => Reports.Enqueue(press);

        public DigitPress? Ended(char digit) => Reports.Where(r => r.Digit == digit && r.State == DigitPressState.Ended).Cast<DigitPress?>().FirstOrDefault();
    }

    [Fact]
    public async Task CallAndBridge_LongRfc4733PressAndSipInfoDuration_ReachTheOtherLegWithTheirLength()
    {
        await using var rig = await Rig.StartAsync();
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        rig.Handler.Script = e => (ScriptedHandler.Type(e), (string?)e["ActionData"]?["Parameters"]?["ParticipantTag"]) switch
        {
            ("NEW_INBOUND_CALL", _) => Bridge,
            ("HANGUP", "LEG-A") => """[{"Type":"Hangup","Parameters":{"ParticipantTag":"LEG-B"}}]""",
            _ => null,
        };
        await using var caller = await rig.NewPhoneAsync();
        await using var callee = await TestPhone.StartAsync();
        Assert.True((await rig.Store.InsertAsync(
            SipDialRouterTests.Trunk("vc1", [new OriginationRoute("127.0.0.1", callee.Address.Port, "UDP", 1, 1)]),
            CancellationToken.None)).IsOk);

        var a = await caller.CallAsync(rig.SipAddress, Rig.Number);
        Assert.Equal(200, a.FinalStatus);
        await rig.Handler.WaitForAsync("ACTION_SUCCESSFUL");
        Assert.True(callee.Incoming.TryPeek(out var b));
        var heard = new PressLog();
        using var observing = b.Media.Session.AddPressObserver(heard);

        // A 1.5 s RFC 4733 press on the caller's phone: 12,000 samples.
        Assert.True(await a.Media.Session.SendDigitsAsync("#", TimeSpan.FromMilliseconds(1500), TimeSpan.Zero).WaitAsync(Rig.Patience));
        await SipCallLegTests.WaitUntilAsync(() => heard.Ended('#') is not null);
        var held = heard.Reports.Where(r => r.Digit == '#').ToList();
        Assert.True(held[0].IsStart);
        Assert.Equal(DigitPressState.Held, held[0].State);
        Assert.True(held.Count(r => r.State == DigitPressState.Held) > 50, "the press was followed as it happened");
        Assert.InRange(heard.Ended('#')!.Value.Duration, 12_000 - 160, 12_000 + 160);

        // SIP INFO with Duration=160 (ms): 1,280 samples.
        Assert.Equal(200, (await a.SendInfoAsync('4').WaitAsync(Rig.Patience)).StatusCode);
        await SipCallLegTests.WaitUntilAsync(() => heard.Ended('4') is not null);
        Assert.Equal(1_280, heard.Ended('4')!.Value.Duration);

        await a.HangUpAsync().WaitAsync(Rig.Patience);
        await rig.AssertAllReleasedAsync();
    }
}
