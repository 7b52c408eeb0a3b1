using OpenSma.EndToEnd.Tests.Telephony.Support;
using OpenSma.Media.Audio;
using Xunit.Abstractions;

namespace OpenSma.EndToEnd.Tests.Telephony;

/// <summary>
/// linphonec, a second independent SIP/RTP stack, calls into <c>opensma serve</c>: it hears the
/// greeting, presses 1 2 # (RFC 4733), hears the greeting again as confirmation, and the SMA hangs up.
/// </summary>
public sealed class InboundLinphoneTests(TelephonyFixture fixture, ITestOutputHelper output) : IClassFixture<TelephonyFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Linphone_PressesDigits_SmaCollectsThemAndLinphoneHearsThePrompts()
    {
        const string number = "+15551230201";
        using var handler = new HandlerServer(e => (HandlerServer.Type(e), HandlerServer.ActionType(e)) switch
        {
            ("NEW_INBOUND_CALL", _) => HandlerServer.Actions(TelephonyFixture.GetDigits("greeting.wav")),
            ("ACTION_SUCCESSFUL", "PlayAudioAndGetDigits") => HandlerServer.Actions(TelephonyFixture.PlayAudio("greeting.wav"), TelephonyFixture.Hangup()),
            ("ACTION_FAILED", _) => HandlerServer.Actions(TelephonyFixture.Hangup()),
            _ => null,
        });
        await fixture.Serve.CreateSmaWithRuleAsync(handler.Url, number);
        var microphone = Signal.WriteWav(Path.Combine(fixture.WorkDirectory, "linphone-mic.wav"), PcmAudio.Silence(TimeSpan.FromSeconds(60)));

        string recording;
        await using (var linphone = await LinphonePeer.StartAsync(fixture.WorkDirectory, "+15559870000", microphone))
        {
            recording = linphone.RecordingPath;
            try
            {
                // The greeting plays out, then the digits (# ends the input); the SMA hangs up after the second greeting.
                await linphone.CallAndPressAsync($"sip:{number}@127.0.0.1:{fixture.Serve.SipPort}", "12#", Patience);
            }
            finally
            {
                output.WriteLine(linphone.Log);
            }
        }

        await handler.WaitForAsync(events => events.Any(e => HandlerServer.Type(e) == "HANGUP"), Patience, "HANGUP");
        output.WriteLine(string.Join('\n', handler.Ladder));
        Assert.Equal("NEW_INBOUND_CALL", handler.Ladder[0]);
        Assert.Equal("ACTION_SUCCESSFUL:PlayAudioAndGetDigits", handler.Ladder[1]);
        Assert.Equal("12", handler.Events[1].GetProperty("ActionData").GetProperty("ReceivedDigits").GetString());
        Assert.Equal("HANGUP", handler.Ladder[^1]);

        // linphone heard both greetings: 2 x 100 frames of tone, give or take what a loaded machine drops.
        var heard = LinphonePeer.ReadRecording(recording);
        var loud = Signal.LoudFrames(heard);
        output.WriteLine($"linphone heard {loud} loud frames of {heard.Duration}");
        Assert.InRange(loud, 120, 230);
        await fixture.Serve.AssertMediaReleasedAsync(Patience);
    }
}
