using System.Net;
using System.Text;
using OpenSma.Engine.Virtual;
using OpenSma.Media.Audio;
using OpenSma.Media.Clock;
using OpenSma.Media.Rtp;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;
using OpenSma.Telephony.Phone;
using OpenSma.Telephony.Tests.Outbound;
using OpenSma.Telephony.Tests.Support;
using static OpenSma.Telephony.Tests.Support.ProxySessionSetup;

namespace OpenSma.Telephony.Tests.Inbound;

/// <summary>Proxy sessions over loopback: participant A calls their proxy number and reaches participant B through the trunk, with no SMA.</summary>
public sealed class ProxyCallTests
{
    [Fact]
    public async Task ProxyCall_ParticipantDialsProxyNumber_OtherParticipantGetsTheCallFromTheirProxyNumber_AudioIsBridged_HangupFollows()
    {
        await using var rig = await Rig.StartAsync();
        await using var bob = await TestPhone.StartAsync();
        await SetUpSessionAsync(rig, bob, "Open");
        await using var alice = await rig.NewPhoneAsync();

        var a = await alice.CallAsync(rig.SipAddress, AliceProxy, from: Alice);

        Assert.Equal(200, a.FinalStatus);
        Assert.Contains(180, a.Provisionals);
        Assert.True(bob.Incoming.TryPeek(out var b));
        var invite = b.Dialog!.InitialInvite;
        Assert.Equal(Bob, "+" + invite.RequestUri.User!.TrimStart('+'));
        Assert.Equal(BobProxy, invite.From!.Uri.User);
        Assert.Empty(rig.Handler.Events);

        var bBefore = b.LoudFrames();
        _ = a.Play(ToneGenerator.Beep(TimeSpan.FromSeconds(1), 500));
        await b.WaitLoudFramesAsync(bBefore + 30);
        var aBefore = a.LoudFrames();
        _ = b.Play(ToneGenerator.Beep(TimeSpan.FromSeconds(1), 700));
        await a.WaitLoudFramesAsync(aBefore + 30);

        await a.HangUpAsync().WaitAsync(Rig.Patience);
        Assert.Equal(SipEndReason.RemoteHangUp, (await b.Ended.WaitAsync(Rig.Patience)).Reason);
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task ProxyCall_OtherParticipantBusy_CallerGets486()
    {
        await using var rig = await Rig.StartAsync();
        await using var bob = await TestPhone.StartAsync();
        bob.AnswerWith = PhoneAnswer.Busy;
        await SetUpSessionAsync(rig, bob, "Open");
        await using var alice = await rig.NewPhoneAsync();

        var a = await alice.CallAsync(rig.SipAddress, AliceProxy, from: Alice);

        Assert.Equal(486, a.FinalStatus);
        Assert.Single(bob.Incoming);
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task ProxyCall_CallerHangsUpWhileOtherParticipantRings_RingingLegIsCancelled()
    {
        await using var rig = await Rig.StartAsync();
        await using var bob = await TestPhone.StartAsync();
        bob.AnswerWith = PhoneAnswer.NeverAnswer;
        await SetUpSessionAsync(rig, bob, "Open");
        await using var alice = await rig.NewPhoneAsync();
        using var hangUp = new CancellationTokenSource();
        rig.Telephony.Inbound!.ProxyCallStarted += (_, _, _) => _ = CancelWhenRingingAsync(bob, hangUp);
        using var media = alice.Media.TryOpenLeg()!;

        var result = await alice.Sip.InviteAsync(
            new SipInviteOptions
            {
                Target = SipUri.Sip(AliceProxy, "127.0.0.1", rig.SipAddress.Port),
                From = new SipNameAddress(SipUri.Sip(Alice, "127.0.0.1")),
                Body = Encoding.UTF8.GetBytes(media.CreateOffer().ToString()),
                ContentType = "application/sdp",
            },
            hangUp.Token).WaitAsync(Rig.Patience);

        Assert.Equal(487, result.FinalResponse.StatusCode);
        Assert.True(bob.Incoming.TryPeek(out var b));
        Assert.Equal(SipEndReason.Cancelled, (await b.Ended.WaitAsync(Rig.Patience)).Reason);
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task ProxyCall_CallerNotAParticipant_FallsThroughToTheSipRules()
    {
        await using var rig = await Rig.StartAsync();
        await using var bob = await TestPhone.StartAsync();
        await SetUpSessionAsync(rig, bob, "Open");
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(AliceProxy, false, "sma-1");
        rig.Handler.Script = e => """[{"Type":"Hangup","Parameters":{"SipResponseCode":"603"}}]""";
        await using var stranger = await rig.NewPhoneAsync();

        var call = await stranger.CallAsync(rig.SipAddress, AliceProxy, from: "+15553334444");

        Assert.Equal(603, call.FinalStatus);
        Assert.Equal("NEW_INBOUND_CALL", ScriptedHandler.Type(rig.Handler.Events[0]));
        Assert.Empty(bob.Incoming);
    }

    [Fact]
    public async Task ProxyCall_SessionClosed_GoesToTheFallbackNumber()
    {
        await using var rig = await Rig.StartAsync();
        await using var bob = await TestPhone.StartAsync();
        bob.AnswerWith = PhoneAnswer.Decline;
        await SetUpSessionAsync(rig, bob, "Closed", fallback: "+15556667777");
        await using var alice = await rig.NewPhoneAsync();

        var a = await alice.CallAsync(rig.SipAddress, AliceProxy, from: Alice);

        Assert.Equal(603, a.FinalStatus);
        Assert.True(bob.Incoming.TryPeek(out var b));
        Assert.Equal("15556667777", b.Dialog!.InitialInvite.RequestUri.User!.TrimStart('+'));
        Assert.Equal(AliceProxy, b.Dialog.InitialInvite.From!.Uri.User);
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task ProxyCall_OtherParticipantIsARegisteredSoftphone_TheDialRouterRingsItsBinding()
    {
        await using var rig = await Rig.StartAsync();
        await using var bobSip = SipPhone.CreateEndpoint(new IPEndPoint(IPAddress.Loopback, 0));
        var (min, max) = Rig.NextPorts();
        using var clock = new MediaClock(TimeProvider.System);
        await using var bob = new SipPhone(bobSip, new RtpPortAllocator(min, max), clock, TimeProvider.System, new SipPhoneOptions { MaxDuration = Rig.Patience });
        var bobReport = new TaskCompletionSource<SipPhoneReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        var bobInvite = new TaskCompletionSource<SipRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        bobSip.IncomingCall = dialog =>
        {
            bobInvite.TrySetResult(dialog.InitialInvite);
            _ = Task.Run(async () => bobReport.TrySetResult(await bob.AnswerAsync(dialog, new VirtualParty { RingFor = TimeSpan.Zero })));
        };
        await bobSip.StartAsync();
        var registration = await bob.RegisterAsync(new SipPhoneRegistrationOptions { Registrar = SipUri.Sip(null, "127.0.0.1", rig.SipAddress.Port), User = Bob });
        Assert.True(registration.IsRegistered);
        await SetUpSessionAsync(rig, trunkTo: null, "Open");
        await using var alice = await rig.NewPhoneAsync();

        var a = await alice.CallAsync(rig.SipAddress, AliceProxy, from: Alice);

        Assert.Equal(200, a.FinalStatus);
        Assert.Equal(BobProxy, (await bobInvite.Task.WaitAsync(Rig.Patience)).From!.Uri.User);
        await a.HangUpAsync().WaitAsync(Rig.Patience);
        var report = await bobReport.Task.WaitAsync(Rig.Patience);
        Assert.True(report.Answered);
        Assert.Equal(SipEndReason.RemoteHangUp, report.End?.Reason);
        await rig.AssertAllReleasedAsync();
    }

    private static async Task CancelWhenRingingAsync(TestPhone bob, CancellationTokenSource hangUp)
    {
        var deadline = DateTime.UtcNow + Rig.Patience;
        while (bob.Incoming.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await hangUp.CancelAsync();
    }
}
