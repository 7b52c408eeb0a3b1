using OpenSma.EndToEnd.Tests.Telephony.Support;
using OpenSma.Media.Audio;
using Xunit.Abstractions;

namespace OpenSma.EndToEnd.Tests.Telephony;

/// <summary>
/// Digits that do not travel as RFC 4733 events, from real phones into <c>opensma serve</c>:
/// linphonec sending SIP INFO (<c>application/dtmf-relay</c>), and baresip whose microphone plays
/// DTMF tones (in-band, detected in the received audio). PlayAudioAndGetDigits collects them.
/// </summary>
public sealed class DigitMethodTests(TelephonyFixture fixture, ITestOutputHelper output) : IClassFixture<TelephonyFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Linphone_SipInfoDigits_ReachPlayAudioAndGetDigits()
    {
        const string number = "+15551230501";
        using var handler = CollectingHandler();
        await fixture.Serve.CreateSmaWithRuleAsync(handler.Url, number);
        var microphone = Signal.WriteWav(Path.Combine(fixture.WorkDirectory, "linphone-info-mic.wav"), PcmAudio.Silence(TimeSpan.FromSeconds(60)));

        string wire;
        await using (var linphone = await LinphonePeer.StartAsync(fixture.WorkDirectory, "+15559870000", microphone, sipInfoDigits: true))
        {
            try
            {
                await linphone.CallAndPressAsync($"sip:{number}@127.0.0.1:{fixture.Serve.SipPort}", "12#", Patience);
            }
            finally
            {
                output.WriteLine(linphone.Log);
            }

            wire = linphone.DebugLog();
        }

        await handler.WaitForAsync(events => events.Any(e => HandlerServer.Type(e) == "HANGUP"), Patience, "HANGUP");
        output.WriteLine(string.Join('\n', handler.Ladder));
        Assert.Equal(["NEW_INBOUND_CALL", "ACTION_SUCCESSFUL:PlayAudioAndGetDigits", "HANGUP"], handler.Ladder);
        Assert.Equal("12", handler.Events[1].GetProperty("ActionData").GetProperty("ReceivedDigits").GetString());
        // The digits went out as INFO requests (linphone's debug log holds what it sent).
        Assert.Contains("INFO sip:", wire, StringComparison.Ordinal);
        Assert.Contains("application/dtmf-relay", wire, StringComparison.Ordinal);
        await fixture.Serve.AssertMediaReleasedAsync(Patience);
    }

    [Fact]
    public async Task Baresip_InBandTones_ReachPlayAudioAndGetDigits()
    {
        const string number = "+15551230502";
        using var handler = CollectingHandler();
        await fixture.Serve.CreateSmaWithRuleAsync(handler.Url, number);
        // The microphone: 4 s of silence (the greeting plays), the tones of 1 2 # (200 ms each, 300 ms
        // apart), then silence long enough that the end of the file never ends the call.
        var gap = PcmAudio.Silence(TimeSpan.FromMilliseconds(300));
        var tone = TimeSpan.FromMilliseconds(200);
        var microphone = Signal.WriteWav(Path.Combine(fixture.WorkDirectory, "baresip-inband-mic.wav"), PcmAudio.Concat(
            PcmAudio.Silence(TimeSpan.FromSeconds(4)), Signal.Dtmf('1', tone), gap, Signal.Dtmf('2', tone), gap, Signal.Dtmf('#', tone),
            PcmAudio.Silence(TimeSpan.FromSeconds(90))));

        var phone = BaresipPeer.Start(fixture.WorkDirectory, "inband", ["<sip:+15559870000@127.0.0.1>;regint=0;audio_codecs=PCMU,PCMA"], microphone);
        try
        {
            await phone.WaitUntilReadyAsync(Patience);
            await phone.CommandAsync($"/dial sip:{number}@127.0.0.1:{fixture.Serve.SipPort}");
            await phone.WaitForTextAsync("Call established", Patience);
            await handler.WaitForAsync(events => events.Any(e => HandlerServer.Type(e) == "HANGUP"), Patience, "HANGUP");
            await phone.WaitForTextAsync("terminated", Patience);   // the SMA's Hangup reached baresip as BYE
        }
        finally
        {
            output.WriteLine(phone.Log);
            await phone.DisposeAsync();
        }

        output.WriteLine(string.Join('\n', handler.Ladder));
        Assert.Equal(["NEW_INBOUND_CALL", "ACTION_SUCCESSFUL:PlayAudioAndGetDigits", "HANGUP"], handler.Ladder);
        Assert.Equal("12", handler.Events[1].GetProperty("ActionData").GetProperty("ReceivedDigits").GetString());
        Assert.DoesNotContain("send DTMF", phone.Log, StringComparison.Ordinal);   // no key was pressed: no RFC 4733 event went out
        await fixture.Serve.AssertMediaReleasedAsync(Patience);
    }

    /// <summary>Greets and collects 2-5 digits ended by #; hangs up when they are in (or when collection fails).</summary>
    private static HandlerServer CollectingHandler() => new(e => (HandlerServer.Type(e), HandlerServer.ActionType(e)) switch
    {
        ("NEW_INBOUND_CALL", _) => HandlerServer.Actions(TelephonyFixture.GetDigits("greeting.wav")),
        ("ACTION_SUCCESSFUL", "PlayAudioAndGetDigits") or ("ACTION_FAILED", _) => HandlerServer.Actions(TelephonyFixture.Hangup()),
        _ => null,
    });
}
