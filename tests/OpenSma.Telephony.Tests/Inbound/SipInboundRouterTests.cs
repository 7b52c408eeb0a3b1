using System.Net;
using OpenSma.Sip.Messages;
using OpenSma.Storage.Resources;
using OpenSma.Telephony.Tests.Support;

namespace OpenSma.Telephony.Tests.Inbound;

/// <summary>Real INVITEs over loopback UDP into OpenSMA's SIP endpoint, routed by SIP rules to an in-process handler.</summary>
public sealed class SipInboundRouterTests
{
    [Fact]
    public async Task IncomingCall_NumberWithRule_SendsNewInboundCallWithSipHeadersAndRuleId_AndThePromptIsHeard()
    {
        await using var rig = await Rig.StartAsync();
        await rig.AddSmaAsync();
        var rule = await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        var prompt = await rig.AddPromptAsync("hello.wav", TimeSpan.FromSeconds(1));
        rig.Handler.Script = e => ScriptedHandler.Type(e) switch
        {
            "NEW_INBOUND_CALL" => "[" + Rig.PlayAudio(prompt) + "]",
            "ACTION_SUCCESSFUL" => """[{"Type":"Hangup","Parameters":{"SipResponseCode":"0"}}]""",
            _ => null,
        };
        await using var phone = await rig.NewPhoneAsync();

        var call = await phone.CallAsync(rig.SipAddress, Rig.Number, [
            new SipHeader("X-Customer-Ref", "abc-42"),
            new SipHeader("User-to-User", "6b65793d76616c7565;encoding=hex"),
            new SipHeader("Diversion", "<sip:+12025550111@pbx.example.com>;reason=unconditional"),
            new SipHeader("Subject", "not passed on"),
        ]);

        Assert.Equal(200, call.FinalStatus);
        Assert.Contains(180, call.Provisionals);
        var first = rig.Handler.Events[0];
        Assert.Equal("NEW_INBOUND_CALL", ScriptedHandler.Type(first));
        Assert.Equal(rule.Id, (string?)first["CallDetails"]!["SipRuleId"]);
        Assert.Equal("sma-1", (string?)first["CallDetails"]!["SipMediaApplicationId"]);
        var legA = ScriptedHandler.LegA(first);
        Assert.Equal(Rig.Number, (string?)legA["To"]);
        Assert.Equal("+15557654321", (string?)legA["From"]);
        Assert.Equal("Inbound", (string?)legA["Direction"]);
        var headers = legA["SipHeaders"]!.AsObject();
        Assert.Equal("abc-42", (string?)headers["X-Customer-Ref"]);
        Assert.Equal("6b65793d76616c7565;encoding=hex", (string?)headers["User-to-User"]);
        Assert.StartsWith("<sip:+12025550111", (string?)headers["Diversion"], StringComparison.Ordinal);
        Assert.False(headers.ContainsKey("Subject"));

        var ended = await call.Ended.WaitAsync(Rig.Patience);
        Assert.Equal(OpenSma.Sip.Dialogs.SipEndReason.RemoteHangUp, ended.Reason);
        // A 1 s tone is 50 frames; loopback may lose a few at the start while the path latches.
        Assert.InRange(call.LoudFrames(), 40, 60);
        await rig.Handler.WaitForAsync("HANGUP");
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task IncomingCall_UnknownNumber_Gets404()
    {
        await using var rig = await Rig.StartAsync();
        await using var phone = await rig.NewPhoneAsync();

        var call = await phone.CallAsync(rig.SipAddress, "+15550000000");

        Assert.Equal(404, call.FinalStatus);
        Assert.Empty(rig.Handler.Events);
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task IncomingCall_DisabledRule_Gets480()
    {
        await using var rig = await Rig.StartAsync();
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, true, "sma-1");
        await using var phone = await rig.NewPhoneAsync();

        var call = await phone.CallAsync(rig.SipAddress, Rig.Number);

        Assert.Equal(480, call.FinalStatus);
        Assert.Empty(rig.Handler.Events);
    }

    [Fact]
    public async Task IncomingCall_FirstTargetGone_FailsOverToTheNextPriority()
    {
        await using var rig = await Rig.StartAsync();
        await rig.AddSmaAsync("sma-2");
        await rig.AddRuleAsync(Rig.Number, false, "sma-deleted", "sma-2");
        rig.Handler.Script = e => """[{"Type":"Hangup","Parameters":{"SipResponseCode":"486"}}]""";
        await using var phone = await rig.NewPhoneAsync();

        var call = await phone.CallAsync(rig.SipAddress, Rig.Number);

        // The handler's Hangup rejects the unanswered call with its code.
        Assert.Equal(486, call.FinalStatus);
        Assert.Equal("sma-2", (string?)rig.Handler.Events[0]["CallDetails"]!["SipMediaApplicationId"]);
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task IncomingCall_HandlerFails_Gets480()
    {
        await using var rig = await Rig.StartAsync();
        await rig.AddSmaAsync(handler: "nobody-home");
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        await using var phone = await rig.NewPhoneAsync();

        var call = await phone.CallAsync(rig.SipAddress, Rig.Number);

        Assert.Equal(480, call.FinalStatus);
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task IncomingCall_TrunkChecksOnAndHostNotAllowed_Gets403_AllowedHostGetsThrough()
    {
        await using var rig = await Rig.StartAsync(o => o with { RequireTrunkAuthorization = true });
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        rig.Handler.Script = e => """[{"Type":"Hangup","Parameters":{"SipResponseCode":"603"}}]""";
        var now = DateTimeOffset.UtcNow;
        var connector = new VoiceConnector(
            "vc1", "111122223333", "us-east-1", "pbx", "vc1.voiceconnector.example", false, null, null, now, now,
            Termination: new VoiceConnectorTermination(null, null, ["US"], ["10.0.0.0/8"], false));
        Assert.True((await rig.Store.InsertAsync(connector, CancellationToken.None)).IsOk);
        await using var phone = await rig.NewPhoneAsync();

        var refused = await phone.CallAsync(rig.SipAddress, Rig.Number);
        Assert.Equal(403, refused.FinalStatus);
        Assert.Empty(rig.Handler.Events);

        Assert.True((await rig.Store.UpdateAsync(
            connector with { Termination = connector.Termination! with { CidrAllowedList = ["10.0.0.0/8", "127.0.0.0/8"] } }, 1, CancellationToken.None)).IsOk);
        var admitted = await phone.CallAsync(rig.SipAddress, Rig.Number);
        Assert.Equal(603, admitted.FinalStatus);
        Assert.Equal("NEW_INBOUND_CALL", ScriptedHandler.Type(rig.Handler.Events[0]));
    }

    [Fact]
    public async Task IncomingCall_NoCommonCodec_Gets488()
    {
        await using var rig = await Rig.StartAsync();
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        await using var phone = await rig.NewPhoneAsync();
        const string g729Only = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n";

        var call = await phone.CallAsync(rig.SipAddress, Rig.Number, sdpOffer: g729Only);

        Assert.Equal(488, call.FinalStatus);
        Assert.Empty(rig.Handler.Events);
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task IncomingCall_NoRtpPortLeft_Gets503()
    {
        await using var rig = await Rig.StartAsync();
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        var held = new List<IDisposable>();
        while (rig.Telephony.Media.Ports.TryAllocate(IPAddress.Loopback) is { } lease)
        {
            held.Add(lease);
        }

        await using var phone = await rig.NewPhoneAsync();
        var call = await phone.CallAsync(rig.SipAddress, Rig.Number);

        Assert.Equal(503, call.FinalStatus);
        Assert.Empty(rig.Handler.Events);
        held.ForEach(l => l.Dispose());
    }
}
