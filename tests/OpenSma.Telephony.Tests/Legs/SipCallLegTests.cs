using OpenSma.Sip.Dialogs;
using OpenSma.Telephony.Tests.Support;

namespace OpenSma.Telephony.Tests.Legs;

/// <summary>What a SIP leg does in a real call over loopback: digits, hang-ups from either side, dead RTP.</summary>
public sealed class SipCallLegTests
{
    [Fact]
    public async Task PlayAudioAndGetDigits_Rfc4733AndInfoDigits_ReachTheCollector()
    {
        await using var rig = await Rig.StartAsync();
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        var prompt = await rig.AddPromptAsync("menu.wav", TimeSpan.FromMilliseconds(500));
        rig.Handler.Script = e => ScriptedHandler.Type(e) switch
        {
            "NEW_INBOUND_CALL" => "[{\"Type\":\"PlayAudioAndGetDigits\",\"Parameters\":{\"AudioSource\":" + Rig.Source(prompt)
                + ",\"FailureAudioSource\":" + Rig.Source(prompt)
                + ",\"MinNumberOfDigits\":3,\"MaxNumberOfDigits\":3,\"RepeatDurationInMilliseconds\":20000,\"InBetweenDigitsDurationInMilliseconds\":10000}}]",
            "ACTION_SUCCESSFUL" => """[{"Type":"Hangup","Parameters":{}}]""",
            _ => null,
        };
        await using var phone = await rig.NewPhoneAsync();

        var call = await phone.CallAsync(rig.SipAddress, Rig.Number);
        Assert.Equal(200, call.FinalStatus);
        await call.WaitLoudFramesAsync(10);
        Assert.True(await call.SendRfc4733Async("12").WaitAsync(Rig.Patience));
        Assert.Equal(200, (await call.SendInfoAsync('3').WaitAsync(Rig.Patience)).StatusCode);

        var success = await rig.Handler.WaitForAsync("ACTION_SUCCESSFUL");
        Assert.Equal("123", (string?)success["ActionData"]!["ReceivedDigits"]);
        await call.Ended.WaitAsync(Rig.Patience);
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task CallerHangsUpMidPrompt_HandlerGetsHangup_AndEverythingIsReleased()
    {
        await using var rig = await Rig.StartAsync();
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        var prompt = await rig.AddPromptAsync("long.wav", TimeSpan.FromSeconds(20));
        rig.Handler.Script = e => ScriptedHandler.Type(e) == "NEW_INBOUND_CALL" ? "[" + Rig.PlayAudio(prompt) + "]" : null;
        await using var phone = await rig.NewPhoneAsync();

        var call = await phone.CallAsync(rig.SipAddress, Rig.Number);
        await call.WaitLoudFramesAsync(5);
        await call.HangUpAsync().WaitAsync(Rig.Patience);

        var hangup = await rig.Handler.WaitForAsync("HANGUP");
        Assert.Equal(0, (int?)hangup["ActionData"]!["Parameters"]!["SipResponseCode"]);
        Assert.Equal(["NEW_INBOUND_CALL", "HANGUP"], rig.Handler.EventTypes);
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task CallerCancelsWhileRinging_LegIsReleasedWithoutAnswer()
    {
        await using var rig = await Rig.StartAsync();
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        // The handler pauses, so the call stays unanswered (Pause does not need media).
        rig.Handler.Script = e => ScriptedHandler.Type(e) == "NEW_INBOUND_CALL"
            ? """[{"Type":"CallAndBridge","Parameters":{"CallerIdNumber":"+15557654321","CallTimeoutSeconds":60,"Endpoints":[{"BridgeEndpointType":"PSTN","Uri":"+14155550199"}]}}]"""
            : null;
        await using var phone = await rig.NewPhoneAsync();
        await using var callee = await rig.NewPhoneAsync();
        callee.AnswerWith = PhoneAnswer.NeverAnswer;
        await rig.Store.InsertAsync(Outbound.SipDialRouterTests.Trunk("vc1", [new("127.0.0.1", callee.Address.Port, "UDP", 1, 1)]), CancellationToken.None);

        using var cancel = new CancellationTokenSource();
        var media = phone.Media.TryOpenLeg()!;
        var invite = phone.Sip.InviteAsync(new SipInviteOptions
        {
            Target = OpenSma.Sip.Messages.SipUri.Sip(Rig.Number, "127.0.0.1", rig.SipAddress.Port),
            Body = System.Text.Encoding.UTF8.GetBytes(media.CreateOffer().ToString()),
            ContentType = "application/sdp",
        }, cancel.Token);
        await WaitUntilAsync(() => !callee.Incoming.IsEmpty);
        await cancel.CancelAsync();
        var result = await invite.WaitAsync(Rig.Patience);
        media.Dispose();

        Assert.Equal(487, result.FinalResponse.StatusCode);
        Assert.True(callee.Incoming.TryPeek(out var bLeg));
        // LEG-B was ringing: the engine cancels it when LEG-A goes away.
        Assert.Equal(SipEndReason.Cancelled, (await bLeg.Ended.WaitAsync(Rig.Patience)).Reason);
        await rig.Handler.WaitForAsync("HANGUP");
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task RtpStops_AfterTheInactivityTimeout_TheCallEndsWithHangup()
    {
        await using var rig = await Rig.StartAsync(o => o with { RtpInactivityTimeout = TimeSpan.FromSeconds(1) });
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        var prompt = await rig.AddPromptAsync("long.wav", TimeSpan.FromSeconds(20));
        rig.Handler.Script = e => ScriptedHandler.Type(e) == "NEW_INBOUND_CALL" ? "[" + Rig.PlayAudio(prompt) + "]" : null;
        await using var phone = await rig.NewPhoneAsync();

        var call = await phone.CallAsync(rig.SipAddress, Rig.Number);
        await call.WaitLoudFramesAsync(3);
        // The phone's RTP goes silent (its sockets close) but its SIP stays up.
        call.Media.Dispose();

        var hangup = await rig.Handler.WaitForAsync("HANGUP");
        Assert.Equal(0, (int?)hangup["ActionData"]!["Parameters"]!["SipResponseCode"]);
        Assert.Equal(SipEndReason.RemoteHangUp, (await call.Ended.WaitAsync(Rig.Patience)).Reason);
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task ReInvite_HoldThenResume_IsAnsweredThroughTheSameSession()
    {
        await using var rig = await Rig.StartAsync();
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        var prompt = await rig.AddPromptAsync("long.wav", TimeSpan.FromSeconds(20));
        rig.Handler.Script = e => ScriptedHandler.Type(e) == "NEW_INBOUND_CALL" ? "[" + Rig.PlayAudio(prompt) + "]" : null;
        await using var phone = await rig.NewPhoneAsync();
        var call = await phone.CallAsync(rig.SipAddress, Rig.Number);
        await call.WaitLoudFramesAsync(3);

        var hold = await call.Dialog!.SendRequestAsync("INVITE", System.Text.Encoding.UTF8.GetBytes(call.Media.CreateOffer(OpenSma.Media.Sdp.MediaDirection.SendOnly).ToString()), "application/sdp").WaitAsync(Rig.Patience);
        var heldAnswer = System.Text.Encoding.UTF8.GetString(hold.Body.Span);
        var resume = await call.Dialog!.SendRequestAsync("INVITE", System.Text.Encoding.UTF8.GetBytes(call.Media.CreateOffer().ToString()), "application/sdp").WaitAsync(Rig.Patience);
        var resumedAnswer = System.Text.Encoding.UTF8.GetString(resume.Body.Span);

        Assert.Equal(200, hold.StatusCode);
        Assert.Contains("a=recvonly", heldAnswer, StringComparison.Ordinal);
        Assert.Equal(200, resume.StatusCode);
        Assert.Contains("a=sendrecv", resumedAnswer, StringComparison.Ordinal);
        // The same offer/answer session: same port, same origin session id.
        var leg = Assert.Single(rig.LegsSnapshot());
        Assert.Contains($"m=audio {leg.RtpPort} ", resumedAnswer, StringComparison.Ordinal);
        Assert.Equal(Origin(heldAnswer), Origin(resumedAnswer));
        await call.HangUpAsync();
        await rig.AssertAllReleasedAsync();

        static string Origin(string sdp) => sdp.Split('\n').First(l => l.StartsWith("o=", StringComparison.Ordinal)).Split(' ')[1];
    }

    [Fact]
    public async Task VoiceFocusAction_SwitchesTheSessionsNoiseSuppressor()
    {
        await using var rig = await Rig.StartAsync();
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        var prompt = await rig.AddPromptAsync("short.wav", TimeSpan.FromMilliseconds(200));
        rig.Handler.Script = e =>
        {
            var callId = (string)ScriptedHandler.LegA(e)["CallId"]!;
            return ScriptedHandler.Type(e) switch
            {
                "NEW_INBOUND_CALL" => "[" + Rig.PlayAudio(prompt) + ",{\"Type\":\"VoiceFocus\",\"Parameters\":{\"Enable\":true,\"CallId\":\"" + callId + "\"}}]",
                "ACTION_SUCCESSFUL" => """[{"Type":"Hangup","Parameters":{}}]""",
                _ => null,
            };
        };
        await using var phone = await rig.NewPhoneAsync();

        var call = await phone.CallAsync(rig.SipAddress, Rig.Number);
        await call.Ended.WaitAsync(Rig.Patience);

        var leg = Assert.Single(rig.LegsSnapshot());
        Assert.True(leg.VoiceFocusEnabled);
        Assert.True(leg.Session!.VoiceFocus);
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task InBandDigits_FromAPhoneWithoutTelephoneEvent_ReachTheCollector()
    {
        await using var rig = await Rig.StartAsync();
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        var prompt = await rig.AddPromptAsync("menu.wav", TimeSpan.FromMilliseconds(300));
        rig.Handler.Script = e => ScriptedHandler.Type(e) switch
        {
            "NEW_INBOUND_CALL" => "[{\"Type\":\"PlayAudioAndGetDigits\",\"Parameters\":{\"AudioSource\":" + Rig.Source(prompt)
                + ",\"FailureAudioSource\":" + Rig.Source(prompt)
                + ",\"MinNumberOfDigits\":2,\"MaxNumberOfDigits\":2,\"RepeatDurationInMilliseconds\":20000,\"InBetweenDigitsDurationInMilliseconds\":10000}}]",
            "ACTION_SUCCESSFUL" => """[{"Type":"Hangup","Parameters":{}}]""",
            _ => null,
        };
        // No telephone-event in the offer: the phone's digits are tones in the audio.
        await using var phone = await TestPhone.StartAsync(OpenSma.Media.Sdp.MediaCapabilities.Default with { TelephoneEvent = false });

        var call = await phone.CallAsync(rig.SipAddress, Rig.Number);
        await call.WaitLoudFramesAsync(10);
        // Tones in the audio; the call may end (handler's Hangup) before the last tone's tail has played.
        _ = call.SendRfc4733Async("47");

        var success = await rig.Handler.WaitForAsync("ACTION_SUCCESSFUL");
        Assert.Equal("47", (string?)success["ActionData"]!["ReceivedDigits"]);
        await call.Ended.WaitAsync(Rig.Patience);
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task RecordAudio_OnASipLeg_StoresWhatTheCallerSaid()
    {
        await using var rig = await Rig.StartAsync();
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        rig.Handler.Script = e => ScriptedHandler.Type(e) switch
        {
            "NEW_INBOUND_CALL" => """[{"Type":"RecordAudio","Parameters":{"DurationInSeconds":30,"RecordingTerminators":["#"],"RecordingDestination":{"Type":"S3","BucketName":"prompts","Prefix":"rec/"}}}]""",
            "ACTION_SUCCESSFUL" => """[{"Type":"Hangup","Parameters":{}}]""",
            _ => null,
        };
        await using var phone = await rig.NewPhoneAsync();

        var call = await phone.CallAsync(rig.SipAddress, Rig.Number);
        Assert.Equal(200, call.FinalStatus);
        var played = await call.Play(OpenSma.Media.Audio.ToneGenerator.Beep(TimeSpan.FromSeconds(1), 600)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(played == OpenSma.Media.Playback.PlaybackOutcome.Completed, "play: " + string.Join(",", rig.Handler.EventTypes));
        // The terminator ends the recording and the handler hangs up while the digit is still being sent.
        _ = call.SendRfc4733Async("#");

        var success = await rig.Handler.WaitForAsync("ACTION_SUCCESSFUL");
        var key = (string)success["ActionData"]!["RecordingDestination"]!["Key"]!;
        Assert.StartsWith("rec/", key, StringComparison.Ordinal);
        var stored = await rig.Objects.GetAsync(Rig.Bucket, key, CancellationToken.None);
        var wav = OpenSma.Media.Audio.WavReader.Decode(stored.Content.Span);
        var samples = wav.Audio!.Samples.ToArray();
        var loud = Enumerable.Range(0, samples.Length / 160)
            .Count(f => Math.Sqrt(samples.Skip(f * 160).Take(160).Average(x => (double)x * x)) > 1000);
        Assert.InRange(loud, 35, 60);
        await call.Ended.WaitAsync(Rig.Patience);
        await rig.AssertAllReleasedAsync();
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Rig.Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met");
            }

            await Task.Delay(20);
        }
    }
}
