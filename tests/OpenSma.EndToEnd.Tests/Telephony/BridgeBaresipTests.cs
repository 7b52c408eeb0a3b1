using OpenSma.EndToEnd.Tests.Telephony.Support;
using OpenSma.Media.Audio;
using Xunit.Abstractions;

namespace OpenSma.EndToEnd.Tests.Telephony;

/// <summary>
/// Two baresip softphones and <c>opensma serve</c>: B registers to OpenSMA (softphone, auto-answer);
/// A calls the SMA's number, hears the greeting and presses 1 2 3 # (RFC 4733); the handler bridges
/// the call to B's number with CallAndBridge. Each phone speaks its own tone, and the recordings
/// show who heard what. At the end serve holds no media ports.
/// </summary>
public sealed class BridgeBaresipTests(TelephonyFixture fixture, ITestOutputHelper output) : IClassFixture<TelephonyFixture>
{
    private const double GreetingHz = 700;
    private const double CallerHz = 1000;
    private const double CalleeHz = 1400;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Baresip_DigitsThenCallAndBridge_ToRegisteredBaresip_BothSidesHearEachOther()
    {
        const string smaNumber = "+15551230301";
        const string softphone = "+15551230302";
        using var handler = new HandlerServer(e => (HandlerServer.Type(e), HandlerServer.ActionType(e)) switch
        {
            ("NEW_INBOUND_CALL", _) => HandlerServer.Actions(TelephonyFixture.GetDigits("greeting.wav")),
            ("ACTION_SUCCESSFUL", "PlayAudioAndGetDigits") => HandlerServer.Actions(
                $$$"""{"Type":"CallAndBridge","Parameters":{"CallTimeoutSeconds":60,"CallerIdNumber":"+15559870000","Endpoints":[{"BridgeEndpointType":"PSTN","Uri":"{{{softphone}}}"}]}}"""),
            // Whoever hung up, the handler ends the other leg (spec: one leg's HANGUP does not end the other).
            ("HANGUP", _) => HandlerServer.Actions(TelephonyFixture.Hangup(
                e.GetProperty("ActionData").GetProperty("Parameters").GetProperty("ParticipantTag").GetString() == "LEG-A" ? "LEG-B" : "LEG-A")),
            ("ACTION_FAILED", _) => HandlerServer.Actions(TelephonyFixture.Hangup()),
            _ => null,
        });
        await fixture.Serve.CreateSmaWithRuleAsync(handler.Url, smaNumber);
        var work = fixture.WorkDirectory;
        var micA = Signal.WriteWav(Path.Combine(work, "mic-a.wav"), Signal.Tone(TimeSpan.FromSeconds(90), CallerHz));
        var micB = Signal.WriteWav(Path.Combine(work, "mic-b.wav"), Signal.Tone(TimeSpan.FromSeconds(90), CalleeHz));

        PcmAudio heardByA, heardByB;
        string digitsSentByA;
        var serve = fixture.Serve;
        var b = BaresipPeer.Start(work, "b", [$"<sip:{softphone}@127.0.0.1:{serve.SipPort}>;regint=60;answermode=auto;audio_codecs=PCMU,PCMA"], micB);
        var a = BaresipPeer.Start(work, "a", ["<sip:+15559870000@127.0.0.1>;regint=0;audio_codecs=PCMU,PCMA"], micA);
        try
        {
            await b.WaitForTextAsync("200 OK", Patience);      // REGISTER answered by OpenSMA's registrar
            await a.WaitUntilReadyAsync(Patience);
            await a.CommandAsync($"/dial sip:{smaNumber}@127.0.0.1:{serve.SipPort}");
            await a.WaitForTextAsync("Call established", Patience);
            await Task.Delay(TimeSpan.FromSeconds(3));          // the greeting plays first
            await a.PressAsync("123#");
            digitsSentByA = "123#";
            await b.WaitForTextAsync("Call established", Patience);
            await Task.Delay(TimeSpan.FromSeconds(4));          // both talk through the bridge
            await a.CommandAsync("/hangup");
            await handler.WaitForAsync(events => events.Any(e => HandlerServer.Type(e) == "HANGUP"), Patience, "HANGUP");
            await b.WaitForTextAsync("terminated", Patience);
        }
        finally
        {
            output.WriteLine("A:\n" + a.Log + "\nB:\n" + b.Log);
            await a.DisposeAsync();
            await b.DisposeAsync();
        }

        heardByA = a.Heard();
        heardByB = b.Heard();
        output.WriteLine(string.Join('\n', handler.Ladder));
        var greetingFrames = Signal.ToneFrames(heardByA, GreetingHz);
        var calleeFrames = Signal.ToneFrames(heardByA, CalleeHz);
        var callerFrames = Signal.ToneFrames(heardByB, CallerHz);
        output.WriteLine($"A heard {greetingFrames} greeting frames and {calleeFrames} frames of B; B heard {callerFrames} frames of A");

        Assert.Equal("NEW_INBOUND_CALL", handler.Ladder[0]);
        Assert.Equal("ACTION_SUCCESSFUL:PlayAudioAndGetDigits", handler.Ladder[1]);
        Assert.Equal(digitsSentByA.TrimEnd('#'), handler.Events[1].GetProperty("ActionData").GetProperty("ReceivedDigits").GetString());
        Assert.Equal("ACTION_SUCCESSFUL:CallAndBridge", handler.Ladder[2]);
        Assert.Contains("HANGUP", handler.Ladder.Skip(3));
        Assert.InRange(greetingFrames, 60, 160);   // the 2 s greeting is 100 frames, played at least once
        Assert.True(calleeFrames > 75, $"A heard only {calleeFrames} frames of B");   // about 4 s bridged = 200 frames
        Assert.True(callerFrames > 75, $"B heard only {callerFrames} frames of A");
        await serve.AssertMediaReleasedAsync(Patience);
    }
}
