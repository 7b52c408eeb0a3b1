using OpenSma.EndToEnd.Tests.Telephony.Support;
using Xunit.Abstractions;

namespace OpenSma.EndToEnd.Tests.Telephony;

/// <summary>
/// sipp calls into <c>opensma serve</c> (the real executable) through a SIP rule to an HTTP handler:
/// RFC 4733 digits collected by PlayAudioAndGetDigits, CANCEL while ringing, and the caller
/// hanging up in the middle of a prompt. Every case ends with serve holding no media ports.
/// </summary>
public sealed class InboundSippTests(TelephonyFixture fixture, ITestOutputHelper output) : IClassFixture<TelephonyFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Sipp_Rfc4733Digits_ReachPlayAudioAndGetDigits()
    {
        const string number = "+15551230101";
        using var handler = new HandlerServer(e => (HandlerServer.Type(e), HandlerServer.ActionType(e)) switch
        {
            ("NEW_INBOUND_CALL", _) => HandlerServer.Actions(TelephonyFixture.GetDigits("greeting.wav")),
            ("ACTION_SUCCESSFUL", "PlayAudioAndGetDigits") or ("ACTION_FAILED", _) => HandlerServer.Actions(TelephonyFixture.Hangup()),
            _ => null,
        });
        await fixture.Serve.CreateSmaWithRuleAsync(handler.Url, number);

        await using var sipp = await SippPeer.StartAsync(fixture.WorkDirectory, "uac-rfc4733-digits.xml", $"127.0.0.1:{fixture.Serve.SipPort}", ["-s", number], Patience);
        await sipp.AssertPassedAsync(Patience + TimeSpan.FromSeconds(30), fixture.Serve.Output);
        output.WriteLine(string.Join('\n', handler.Ladder));

        await handler.WaitForAsync(events => events.Any(e => HandlerServer.Type(e) == "HANGUP"), Patience, "HANGUP");
        Assert.Equal(["NEW_INBOUND_CALL", "ACTION_SUCCESSFUL:PlayAudioAndGetDigits", "HANGUP"], handler.Ladder);
        var first = handler.Events[0];
        Assert.Equal("rfc4733", first.GetProperty("CallDetails").GetProperty("Participants")[0].GetProperty("SipHeaders").GetProperty("X-Test-Case").GetString());
        var collected = handler.Events[1].GetProperty("ActionData").GetProperty("ReceivedDigits").GetString();
        Assert.Equal("12", collected);
        await fixture.Serve.AssertMediaReleasedAsync(Patience);
    }

    [Fact]
    public async Task Sipp_CancelWhileRinging_HandlerGetsHangupAndPortsAreReleased()
    {
        const string number = "+15551230102";
        // A slow handler (3 s, under the engine's 5 s attempt timeout) keeps the call ringing, so the
        // caller's CANCEL (1 s after the 180) arrives before anything answers it.
        using var handler = new HandlerServer(
            e => HandlerServer.Type(e) == "NEW_INBOUND_CALL" ? HandlerServer.Actions(TelephonyFixture.PlayAudio("long.wav")) : null,
            e => HandlerServer.Type(e) == "NEW_INBOUND_CALL" ? TimeSpan.FromSeconds(3) : TimeSpan.Zero);
        await fixture.Serve.CreateSmaWithRuleAsync(handler.Url, number);

        await using var sipp = await SippPeer.StartAsync(fixture.WorkDirectory, "uac-cancel-ringing.xml", $"127.0.0.1:{fixture.Serve.SipPort}", ["-s", number], Patience);
        await sipp.AssertPassedAsync(Patience + TimeSpan.FromSeconds(30), fixture.Serve.Output);

        await handler.WaitForAsync(events => events.Any(e => HandlerServer.Type(e) == "HANGUP"), Patience, "HANGUP");
        Assert.Equal("NEW_INBOUND_CALL", handler.Ladder[0]);
        Assert.Equal("HANGUP", handler.Ladder[^1]);
        await fixture.Serve.AssertMediaReleasedAsync(Patience);
    }

    [Fact]
    public async Task Sipp_CallerHangsUpMidPrompt_HandlerGetsHangup()
    {
        const string number = "+15551230103";
        using var handler = new HandlerServer(e => HandlerServer.Type(e) == "NEW_INBOUND_CALL"
            ? HandlerServer.Actions(TelephonyFixture.PlayAudio("long.wav"))
            : null);
        await fixture.Serve.CreateSmaWithRuleAsync(handler.Url, number);

        await using var sipp = await SippPeer.StartAsync(fixture.WorkDirectory, "uac-hangup-mid-prompt.xml", $"127.0.0.1:{fixture.Serve.SipPort}", ["-s", number], Patience);
        await sipp.AssertPassedAsync(Patience + TimeSpan.FromSeconds(30), fixture.Serve.Output);

        await handler.WaitForAsync(events => events.Any(e => HandlerServer.Type(e) == "HANGUP"), Patience, "HANGUP");
        output.WriteLine(string.Join('\n', handler.Ladder));
        // Spec 5.6 [rec]: the prompt stops and HANGUP is sent; no success event for the cut-short PlayAudio.
        Assert.Equal(["NEW_INBOUND_CALL", "HANGUP"], handler.Ladder);
        var hangup = handler.Events[^1];
        Assert.Equal("Disconnected", hangup.GetProperty("CallDetails").GetProperty("Participants")[0].GetProperty("Status").GetString());
        await fixture.Serve.AssertMediaReleasedAsync(Patience);
    }
}
