using System.Net;
using OpenSma.EndToEnd.Tests.Telephony.Support;
using OpenSma.Engine.Virtual;
using OpenSma.Media.Clock;
using OpenSma.Media.Rtp;
using OpenSma.Sip;
using OpenSma.Sip.Messages;
using OpenSma.Telephony.Phone;
using Xunit.Abstractions;

namespace OpenSma.EndToEnd.Tests.Telephony;

/// <summary>
/// Outbound calls from <c>opensma serve</c> through a voice connector (a SIP trunk whose origination
/// route is a sipp UAS on loopback), created and placed with the AWS CLI: answered, busy (486),
/// unavailable (503), and never answered (CallAndBridge gives up after CallTimeoutSeconds).
/// </summary>
public sealed class OutboundTrunkTests(TelephonyFixture fixture, ITestOutputHelper output) : IClassFixture<TelephonyFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task CreateCall_ToSippUas_AnsweredThenSmaHangsUp()
    {
        using var handler = new HandlerServer(e => HandlerServer.Type(e) == "CALL_ANSWERED"
            ? HandlerServer.Actions(TelephonyFixture.PlayAudio("greeting.wav"), TelephonyFixture.Hangup())
            : null);
        await using var sipp = await SippPeer.StartAsync(fixture.WorkDirectory, "uas-answer.xml", null, [], Patience);
        var smaId = await PrepareAsync(handler, sipp.SipPort);

        await CallOutAsync(handler, sipp, smaId, "+15557770001");
        Assert.Equal(["NEW_OUTBOUND_CALL", "RINGING", "CALL_ANSWERED"], handler.Ladder.Take(3));
        Assert.Equal("HANGUP", handler.Ladder[^1]);
        await fixture.Serve.AssertMediaReleasedAsync(Patience);
    }

    [Theory]
    [InlineData("uas-486.xml", "486")]
    [InlineData("uas-503.xml", "503")]
    public async Task CreateCall_TrunkRefuses_HangupCarriesTheCode(string scenario, string code)
    {
        using var handler = new HandlerServer(_ => null);
        await using var sipp = await SippPeer.StartAsync(fixture.WorkDirectory, scenario, null, [], Patience);
        var smaId = await PrepareAsync(handler, sipp.SipPort);

        await CallOutAsync(handler, sipp, smaId, "+15557770002");
        Assert.Equal("NEW_OUTBOUND_CALL", handler.Ladder[0]);
        Assert.DoesNotContain("CALL_ANSWERED", handler.Ladder);
        var hangup = handler.Events.Single(e => HandlerServer.Type(e) == "HANGUP");
        Assert.Equal(code, hangup.GetProperty("ActionData").GetProperty("Parameters").GetProperty("SipResponseCode").ToString());
        await fixture.Serve.AssertMediaReleasedAsync(Patience);
    }

    [Fact]
    public async Task CallAndBridge_TrunkNeverAnswers_CancelledAfterTimeoutAndActionFails()
    {
        const string number = "+15551230401";
        using var handler = new HandlerServer(e => (HandlerServer.Type(e), HandlerServer.ActionType(e)) switch
        {
            ("NEW_INBOUND_CALL", _) => HandlerServer.Actions("""{"Type":"CallAndBridge","Parameters":{"CallTimeoutSeconds":3,"CallerIdNumber":"+15559870000","Endpoints":[{"BridgeEndpointType":"PSTN","Uri":"+15557770003"}]}}"""),
            ("ACTION_FAILED", _) => HandlerServer.Actions(TelephonyFixture.Hangup()),
            _ => null,
        });
        await using var sipp = await SippPeer.StartAsync(fixture.WorkDirectory, "uas-never-answer.xml", null, [], Patience);
        var smaId = await PrepareAsync(handler, sipp.SipPort);
        await fixture.Serve.AwsAsync(
            "create-sip-rule", "--name", "never", "--trigger-type", "ToPhoneNumber", "--trigger-value", number,
            "--target-applications", $"SipMediaApplicationId={smaId},Priority=1,AwsRegion=us-east-1");

        // The caller is OpenSMA's own scripted phone (UAC with RTP); it waits for the SMA to hang up.
        await using var sip = new SipEndpoint(new SipEndpointOptions { UdpEndPoints = [new IPEndPoint(IPAddress.Loopback, 0)], TcpEndPoints = [] });
        await sip.StartAsync();
        using var clock = new MediaClock(TimeProvider.System);
        var block = FreePorts.RtpBlock();
        var phone = new SipPhone(sip, new RtpPortAllocator(block, block + 19), clock, TimeProvider.System, new SipPhoneOptions { MaxDuration = Patience });
        var report = await phone.DialAsync(
            SipUri.Sip(number, "127.0.0.1", fixture.Serve.SipPort), new SipNameAddress(SipUri.Sip("+15559870000", "127.0.0.1")), VirtualParty.Answering()).WaitAsync(Patience * 2);
        await sipp.AssertPassedAsync(Patience, "(the scenario expects a CANCEL)\n" + fixture.Serve.Output);

        output.WriteLine(string.Join('\n', handler.Ladder));
        Assert.Equal(["NEW_INBOUND_CALL", "ACTION_FAILED:CallAndBridge"], handler.Ladder.Take(2));
        Assert.Equal("CallNotAnswered", handler.Events[1].GetProperty("ActionData").GetProperty("ErrorType").GetString());
        // LEG-A was never answered (CallAndBridge answers it only when LEG-B answers): the Hangup rejects it.
        Assert.False(report.Answered);
        Assert.NotNull(report.FailureCode);
        await fixture.Serve.AssertMediaReleasedAsync(Patience);
    }

    /// <summary>CreateSipMediaApplicationCall to <paramref name="to"/> (out the trunk to sipp); waits for sipp to pass and the handler to see HANGUP.</summary>
    private async Task CallOutAsync(HandlerServer handler, SippPeer sipp, string smaId, string to)
    {
        await fixture.Serve.AwsAsync("create-sip-media-application-call", "--sip-media-application-id", smaId,
            "--from-phone-number", "+15559870000", "--to-phone-number", to);
        await sipp.AssertPassedAsync(Patience, fixture.Serve.Output);
        await handler.WaitForAsync(events => events.Any(e => HandlerServer.Type(e) == "HANGUP"), Patience, "HANGUP");
        output.WriteLine(string.Join('\n', handler.Ladder));
    }

    /// <summary>An SMA for the handler and one voice connector whose only origination route is the sipp on <paramref name="port"/>.</summary>
    private async Task<string> PrepareAsync(HandlerServer handler, int port)
    {
        var serve = fixture.Serve;
        // One trunk per serve process (outbound calls take the first connector with origination routes): reuse it.
        var existing = await serve.AwsAsync("list-voice-connectors");
        var connectorId = existing.GetProperty("VoiceConnectors").EnumerateArray().Select(v => v.GetProperty("VoiceConnectorId").GetString()).FirstOrDefault()
            ?? (await serve.AwsAsync("create-voice-connector", "--name", "trunk", "--no-require-encryption", "--aws-region", "us-east-1"))
                .GetProperty("VoiceConnector").GetProperty("VoiceConnectorId").GetString()!;
        await serve.AwsAsync("put-voice-connector-origination", "--voice-connector-id", connectorId!,
            "--origination", $"Routes=[{{Host=127.0.0.1,Port={port},Protocol=UDP,Priority=1,Weight=1}}],Disabled=false");
        var sma = await serve.AwsAsync("create-sip-media-application", "--aws-region", "us-east-1", "--name", "out-" + Guid.NewGuid().ToString("N")[..8], "--endpoints", $"LambdaArn={handler.Url}");
        return sma.GetProperty("SipMediaApplication").GetProperty("SipMediaApplicationId").GetString()!;
    }
}
