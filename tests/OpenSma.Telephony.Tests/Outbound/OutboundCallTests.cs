using OpenSma.Engine.Control;
using OpenSma.Media.Audio;
using OpenSma.Media.Codecs;
using OpenSma.Media.Sdp;
using OpenSma.Sip.Dialogs;
using OpenSma.Storage.Resources;
using OpenSma.Telephony.Tests.Legs;
using OpenSma.Telephony.Tests.Support;

namespace OpenSma.Telephony.Tests.Outbound;

/// <summary>CallAndBridge and CreateSipMediaApplicationCall over real SIP legs on loopback.</summary>
public sealed class OutboundCallTests
{
    private const string VcArn = "arn:aws:chime:us-east-1:111122223333:vc/vc1";

    private static async Task AddTrunkToAsync(Rig rig, TestPhone phone) =>
        Assert.True((await rig.Store.InsertAsync(
            SipDialRouterTests.Trunk("vc1", [new OriginationRoute("127.0.0.1", phone.Address.Port, "UDP", 1, 1)]),
            CancellationToken.None)).IsOk);

    private static string Bridge(int timeoutSeconds = 30) =>
        "[{\"Type\":\"CallAndBridge\",\"Parameters\":{\"CallerIdNumber\":\"+15557654321\",\"CallTimeoutSeconds\":" + timeoutSeconds
        + ",\"Endpoints\":[{\"BridgeEndpointType\":\"AWS\",\"Arn\":\"" + VcArn + "\",\"Uri\":\"5550\"}],\"SipHeaders\":{\"X-Ticket\":\"7781\"}}}]";

    [Fact]
    public async Task CallAndBridge_TwoSipLegs_RelayAudioBothWaysWithTranscoding_AndHangupsFollowTheSpec()
    {
        await using var rig = await Rig.StartAsync();
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        rig.Handler.Script = e => (ScriptedHandler.Type(e), (string?)e["ActionData"]?["Parameters"]?["ParticipantTag"]) switch
        {
            ("NEW_INBOUND_CALL", _) => Bridge(),
            ("HANGUP", "LEG-B") => """[{"Type":"Hangup","Parameters":{"ParticipantTag":"LEG-A"}}]""",
            _ => null,
        };
        await using var caller = await rig.NewPhoneAsync();
        // The callee speaks only A-law; the caller offers mu-law first: the bridge transcodes.
        await using var callee = await TestPhone.StartAsync(new MediaCapabilities([AudioCodec.Pcma]));
        await AddTrunkToAsync(rig, callee);

        var a = await caller.CallAsync(rig.SipAddress, Rig.Number);
        Assert.Equal(200, a.FinalStatus);
        var bridged = await rig.Handler.WaitForAsync("ACTION_SUCCESSFUL");
        Assert.Equal("CallAndBridge", (string?)bridged["ActionData"]!["Type"]);
        Assert.True(callee.Incoming.TryPeek(out var b));
        Assert.Equal("7781", b.Dialog!.InitialInvite.Headers.Get("X-Ticket"));
        Assert.Equal("5550", b.Dialog.InitialInvite.RequestUri.User);
        Assert.Contains("PCMA", System.Text.Encoding.UTF8.GetString(b.Dialog.InitialInvite.Body.Span), StringComparison.Ordinal);

        var bBefore = b.LoudFrames();
        _ = a.Play(ToneGenerator.Beep(TimeSpan.FromSeconds(1), 500));
        await b.WaitLoudFramesAsync(bBefore + 30);
        var aBefore = a.LoudFrames();
        _ = b.Play(ToneGenerator.Beep(TimeSpan.FromSeconds(1), 700));
        await a.WaitLoudFramesAsync(aBefore + 30);
        var during = rig.Telephony.Snapshot();
        Assert.Equal((2, 1, 2, 2), (during.LiveLegs, during.Bridges, during.RtpPortPairsInUse, during.ClockStreams));

        await b.HangUpAsync().WaitAsync(Rig.Patience);
        var hangups = await WaitForHangupsAsync(rig.Handler, 2);
        Assert.Equal(["LEG-B", "LEG-A"], hangups);
        Assert.Equal(SipEndReason.RemoteHangUp, (await a.Ended.WaitAsync(Rig.Patience)).Reason);
        await rig.AssertAllReleasedAsync();
    }

    [Theory]
    [InlineData(PhoneAnswer.Busy, 486)]
    [InlineData(PhoneAnswer.Decline, 603)]
    public async Task CallAndBridge_CalleeRefuses_FailsCallNotAnswered(PhoneAnswer refusal, int code)
    {
        await using var rig = await Rig.StartAsync();
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        rig.Handler.Script = e => ScriptedHandler.Type(e) switch
        {
            "NEW_INBOUND_CALL" => Bridge(),
            "ACTION_FAILED" => """[{"Type":"Hangup","Parameters":{"SipResponseCode":"480"}}]""",
            _ => null,
        };
        await using var caller = await rig.NewPhoneAsync();
        await using var callee = await rig.NewPhoneAsync();
        callee.AnswerWith = refusal;
        await AddTrunkToAsync(rig, callee);

        var a = await caller.CallAsync(rig.SipAddress, Rig.Number);

        var failed = await rig.Handler.WaitForAsync("ACTION_FAILED");
        Assert.Equal("CallNotAnswered", (string?)failed["ActionData"]!["ErrorType"]);
        Assert.Single(callee.Incoming);
        // LEG-A was never answered: the handler's Hangup rejects it.
        Assert.Equal(480, a.FinalStatus);
        Assert.NotEqual(code, a.FinalStatus);
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task CallAndBridge_NoAnswer_CallerHearsRingbackAsEarlyMedia_ThenCancelAndCallNotAnswered()
    {
        await using var rig = await Rig.StartAsync();
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        rig.Handler.Script = e => ScriptedHandler.Type(e) switch
        {
            "NEW_INBOUND_CALL" => Bridge(timeoutSeconds: 3),
            "ACTION_FAILED" => """[{"Type":"Hangup","Parameters":{"SipResponseCode":"486"}}]""",
            _ => null,
        };
        await using var caller = await rig.NewPhoneAsync();
        await using var callee = await rig.NewPhoneAsync();
        callee.AnswerWith = PhoneAnswer.NeverAnswer;
        await AddTrunkToAsync(rig, callee);

        var callTask = CallWithEarlyMediaAsync(caller, rig);
        var failed = await rig.Handler.WaitForAsync("ACTION_FAILED");
        var (status, provisionals, earlyLoudFrames) = await callTask;

        Assert.Equal("CallNotAnswered", (string?)failed["ActionData"]!["ErrorType"]);
        Assert.Equal(486, status);
        Assert.Contains(183, provisionals);
        // North American ringback is 2 s of tone: at least a second of it reached the caller.
        Assert.True(earlyLoudFrames >= 50, $"early media loud frames: {earlyLoudFrames}");
        Assert.True(callee.Incoming.TryPeek(out var b));
        Assert.Equal(SipEndReason.Cancelled, (await b.Ended.WaitAsync(Rig.Patience)).Reason);
        await rig.AssertAllReleasedAsync();
    }

    // The caller takes the 183's SDP answer and listens to the early media until the final response.
    private static async Task<(int Status, List<int> Provisionals, int LoudFrames)> CallWithEarlyMediaAsync(TestPhone phone, Rig rig)
    {
        var media = phone.Media.TryOpenLeg()!;
        var call = new PhoneCall(media);
        var provisionals = new List<int>();
        var result = await phone.Sip.InviteAsync(new SipInviteOptions
        {
            Target = OpenSma.Sip.Messages.SipUri.Sip(Rig.Number, "127.0.0.1", rig.SipAddress.Port),
            Body = System.Text.Encoding.UTF8.GetBytes(media.CreateOffer().ToString()),
            ContentType = "application/sdp",
            OnProvisional = r =>
            {
                provisionals.Add(r.StatusCode);
                if (r.StatusCode == 183 && SdpParser.Parse(System.Text.Encoding.UTF8.GetString(r.Body.Span)).Description is { } early)
                {
                    media.ProcessAnswer(early);
                    media.StartSending();
                }
            },
        }).WaitAsync(Rig.Patience);
        var loud = call.LoudFrames();
        media.Dispose();
        return (result.FinalResponse.StatusCode, provisionals, loud);
    }

    [Fact]
    public async Task CreateCall_ToATrunkPhone_RingsAnswersPlaysAndHangsUp()
    {
        await using var rig = await Rig.StartAsync();
        var sma = await rig.AddSmaAsync();
        var prompt = await rig.AddPromptAsync("hello.wav", TimeSpan.FromSeconds(1));
        rig.Handler.Script = e => ScriptedHandler.Type(e) switch
        {
            "CALL_ANSWERED" => "[" + Rig.PlayAudio(prompt) + ",{\"Type\":\"Hangup\",\"Parameters\":{}}]",
            _ => null,
        };
        await using var callee = await rig.NewPhoneAsync();
        await AddTrunkToAsync(rig, callee);

        var created = await rig.Engine.CreateCallAsync(Request(sma, "+14155550123", new Dictionary<string, string> { ["X-Ticket"] = "42" }), CancellationToken.None);

        Assert.Equal(CallControlStatus.Accepted, created.Status);
        await rig.Handler.WaitForAsync("HANGUP");
        Assert.Equal(["NEW_OUTBOUND_CALL", "RINGING", "CALL_ANSWERED", "HANGUP"], rig.Handler.EventTypes);
        Assert.True(callee.Incoming.TryPeek(out var b));
        Assert.Equal("42", b.Dialog!.InitialInvite.Headers.Get("X-Ticket"));
        Assert.Equal("+15557654321", b.Dialog.InitialInvite.From!.Uri.User);
        Assert.Equal(SipEndReason.RemoteHangUp, (await b.Ended.WaitAsync(Rig.Patience)).Reason);
        Assert.InRange(b.LoudFrames(), 40, 60);
        await rig.AssertAllReleasedAsync();
    }

    [Theory]
    [InlineData(PhoneAnswer.Busy, 486)]
    [InlineData(PhoneAnswer.Decline, 603)]
    public async Task CreateCall_CalleeRefuses_HangupCarriesTheCode(PhoneAnswer refusal, int code)
    {
        await using var rig = await Rig.StartAsync();
        var sma = await rig.AddSmaAsync();
        await using var callee = await rig.NewPhoneAsync();
        callee.AnswerWith = refusal;
        await AddTrunkToAsync(rig, callee);

        await rig.Engine.CreateCallAsync(Request(sma, "+14155550123"), CancellationToken.None);

        var hangup = await rig.Handler.WaitForAsync("HANGUP");
        Assert.Equal(code, (int?)hangup["ActionData"]!["Parameters"]!["SipResponseCode"]);
        Assert.DoesNotContain("CALL_ANSWERED", rig.Handler.EventTypes);
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task CreateCall_NoAnswerWithinRingTimeout_IsCancelledAndReads480()
    {
        await using var rig = await Rig.StartAsync(o => o with { OutboundRingTimeout = TimeSpan.FromSeconds(2) });
        var sma = await rig.AddSmaAsync();
        await using var callee = await rig.NewPhoneAsync();
        callee.AnswerWith = PhoneAnswer.NeverAnswer;
        await AddTrunkToAsync(rig, callee);

        await rig.Engine.CreateCallAsync(Request(sma, "+14155550123"), CancellationToken.None);

        var hangup = await rig.Handler.WaitForAsync("HANGUP");
        Assert.Equal(480, (int?)hangup["ActionData"]!["Parameters"]!["SipResponseCode"]);
        Assert.Equal(["NEW_OUTBOUND_CALL", "RINGING", "HANGUP"], rig.Handler.EventTypes);
        Assert.True(callee.Incoming.TryPeek(out var b));
        Assert.Equal(SipEndReason.Cancelled, (await b.Ended.WaitAsync(Rig.Patience)).Reason);
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task CreateCall_ToOurOwnNumber_OneSmaCallsAnotherThroughItsRules()
    {
        await using var rig = await Rig.StartAsync();
        var caller = await rig.AddSmaAsync("sma-caller");
        await rig.AddSmaAsync("sma-callee", handler: "callee");
        var rule = await rig.AddRuleAsync(Rig.Number, false, "sma-callee");
        var prompt = await rig.AddPromptAsync("greeting.wav", TimeSpan.FromSeconds(1));
        var callee = new ScriptedHandler
        {
            Script = e => ScriptedHandler.Type(e) switch
            {
                "NEW_INBOUND_CALL" => "[" + Rig.PlayAudio(prompt) + ",{\"Type\":\"Hangup\",\"Parameters\":{}}]",
                _ => null,
            },
        };
        rig.Handlers.Register("callee", callee.HandleAsync);
        var heard = new HeardTap();
        rig.Handler.Script = e =>
        {
            if (ScriptedHandler.Type(e) == "CALL_ANSWERED")
            {
                // Listen to what the called SMA plays, through the caller's own SIP leg.
                var leg = rig.LegsSnapshot().First(l => l.Direction == OpenSma.Engine.Legs.LegDirection.Outbound);
                leg.TapIncoming(heard);
            }

            return null;
        };

        await rig.Engine.CreateCallAsync(Request(caller, Rig.Number), CancellationToken.None);

        await rig.Handler.WaitForAsync("HANGUP");
        await callee.WaitForAsync("HANGUP");
        Assert.Equal(["NEW_OUTBOUND_CALL", "RINGING", "CALL_ANSWERED", "HANGUP"], rig.Handler.EventTypes);
        var inbound = callee.Events[0];
        Assert.Equal("NEW_INBOUND_CALL", ScriptedHandler.Type(inbound));
        Assert.Equal(rule.Id, (string?)inbound["CallDetails"]!["SipRuleId"]);
        Assert.Equal("+15557654321", (string?)ScriptedHandler.LegA(inbound)["From"]);
        Assert.InRange(heard.LoudFrames, 35, 60);
        await rig.AssertAllReleasedAsync();
    }

    private static OutboundCallRequest Request(SipMediaApplication sma, string to, IReadOnlyDictionary<string, string>? headers = null) =>
        new(new SipMediaApplicationRef(sma.Id, sma.AwsAccountId, sma.AwsRegion, sma.Endpoint), "+15557654321", to, headers, null);

    private static async Task<List<string>> WaitForHangupsAsync(ScriptedHandler handler, int count)
    {
        await SipCallLegTests.WaitUntilAsync(() => handler.EventTypes.Count(t => t == "HANGUP") >= count);
        return [.. handler.Events.Where(e => ScriptedHandler.Type(e) == "HANGUP").Select(e => (string)e["ActionData"]!["Parameters"]!["ParticipantTag"]!)];
    }

    private sealed class HeardTap : OpenSma.Engine.Legs.IAudioTap
    {
        private int _loud;

        public int LoudFrames => Volatile.Read(ref _loud);

        public void OnFrame(ReadOnlySpan<short> frame)
        {
            double sum = 0;
            foreach (var s in frame)
            {
                sum += s * (double)s;
            }

            if (frame.Length > 0 && Math.Sqrt(sum / frame.Length) > 1000)
            {
                Interlocked.Increment(ref _loud);
            }
        }
    }
}
