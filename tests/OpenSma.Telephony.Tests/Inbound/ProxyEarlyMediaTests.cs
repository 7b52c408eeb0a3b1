using System.Collections.Concurrent;
using System.Text;
using OpenSma.Media.Audio;
using OpenSma.Media.Codecs;
using OpenSma.Media.Sdp;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;
using OpenSma.Telephony.Legs;
using OpenSma.Telephony.Tests.Outbound;
using OpenSma.Telephony.Tests.Support;
using static OpenSma.Telephony.Tests.Support.ProxySessionSetup;

namespace OpenSma.Telephony.Tests.Inbound;

/// <summary>
/// Early media in proxy calls over loopback (media anchored on OpenSMA's two legs), and new offers
/// in the early dialog (RFC 3262 §5) on both legs of such a call: the callee's offer in a later
/// reliable 183 answered in our PRACK, and the caller's offer in its PRACK answered in our 200.
/// </summary>
public sealed class ProxyEarlyMediaTests
{
    private const string Sdp = "application/sdp";

    [Theory]
    [InlineData(183)]
    [InlineData(180)]
    public async Task CalleeSendsEarlyMediaWithSdp_CallerGetsTheSameStatusWithSdp_AndHearsItBeforeThe200_ThenTheSamePathCarriesTheCall(int status)
    {
        await using var rig = await Rig.StartAsync();
        await using var bob = await TestPhone.StartAsync();
        await SetUpSessionAsync(rig, bob, "Open");
        var answerNow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bobCall = new TaskCompletionSource<PhoneCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        bob.Sip.IncomingCall = dialog => _ = Task.Run(async () =>
        {
            var (call, answer) = Take(bob, dialog);
            // Ringback or an announcement, before the call is answered.
            dialog.Ring(status, answer, Sdp);
            call.Media.StartSending();
            call.Watch(dialog);
            bobCall.TrySetResult(call);
            _ = call.Play(ToneGenerator.Beep(TimeSpan.FromSeconds(3), 700));
            await answerNow.Task;
            await dialog.AnswerAsync(answer, Sdp);
        });
        await using var alice = await rig.NewPhoneAsync();
        using var a = new PhoneCall(alice.Media.TryOpenLeg()!);
        var early = new ConcurrentQueue<SipResponse>();

        var invite = alice.Sip.InviteAsync(AliceInvite(rig, a, early));
        await a.WaitLoudFramesAsync(30);

        Assert.False(invite.IsCompleted);
        var relayed = Assert.Single(early, r => !r.Body.IsEmpty);
        Assert.Equal(status, relayed.StatusCode);
        var during = rig.Telephony.Snapshot();
        Assert.Equal((2, 1), (during.LiveLegs, during.Bridges));

        answerNow.SetResult();
        var result = await invite.WaitAsync(Rig.Patience);
        Assert.Equal(200, result.FinalResponse.StatusCode);
        // Anchored media: the 200 carries the same answer as the early response, so the path stays.
        Assert.Equal(Encoding.UTF8.GetString(relayed.Body.Span), Encoding.UTF8.GetString(result.AnswerBody.Span));
        a.OnResult(result);
        var b = await bobCall.Task.WaitAsync(Rig.Patience);
        var bBefore = b.LoudFrames();
        _ = a.Play(ToneGenerator.Beep(TimeSpan.FromSeconds(1), 500));
        await b.WaitLoudFramesAsync(bBefore + 30);
        var aBefore = a.LoudFrames();
        _ = b.Play(ToneGenerator.Beep(TimeSpan.FromSeconds(1), 900));
        await a.WaitLoudFramesAsync(aBefore + 30);
        Assert.Equal(1, rig.Telephony.Snapshot().Bridges);

        await a.HangUpAsync().WaitAsync(Rig.Patience);
        Assert.Equal(SipEndReason.RemoteHangUp, (await b.Ended.WaitAsync(Rig.Patience)).Reason);
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task CalleeAnswersWithAnotherSessionThanItsEarlyMedia_TheCalleeLegFollowsThe200()
    {
        await using var rig = await Rig.StartAsync();
        await using var bob = await TestPhone.StartAsync();
        // The desk phone that finally answers speaks A-law only; the announcer answered mu-law.
        await using var desk = await TestPhone.StartAsync(new MediaCapabilities([AudioCodec.Pcma]));
        await SetUpSessionAsync(rig, bob, "Open");
        var answerNow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answeredFrom = new TaskCompletionSource<PhoneCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        bob.Sip.IncomingCall = dialog => _ = Task.Run(async () =>
        {
            // An announcement server's media in an unreliable 183, then the phone's own in the 200
            // (another port, session and codec): the 200's SDP is the answer that counts.
            var (announcer, early) = Take(bob, dialog);
            dialog.Ring(183, early, Sdp);
            announcer.Media.StartSending();
            _ = announcer.Play(ToneGenerator.Beep(TimeSpan.FromSeconds(5), 700));
            await answerNow.Task;
            announcer.Media.Dispose();
            var (phone, final) = Take(desk, dialog);
            phone.Media.StartSending();
            phone.Watch(dialog);
            answeredFrom.TrySetResult(phone);
            await dialog.AnswerAsync(final, Sdp);
        });
        await using var alice = await rig.NewPhoneAsync();
        using var a = new PhoneCall(alice.Media.TryOpenLeg()!);

        var invite = alice.Sip.InviteAsync(AliceInvite(rig, a, new ConcurrentQueue<SipResponse>()));
        await a.WaitLoudFramesAsync(20);
        answerNow.SetResult();
        var result = await invite.WaitAsync(Rig.Patience);
        Assert.Equal(200, result.FinalResponse.StatusCode);
        a.OnResult(result);
        var b = await answeredFrom.Task.WaitAsync(Rig.Patience);
        var calleeLeg = Assert.Single(rig.LegsSnapshot(), l => l.Direction == Engine.Legs.LegDirection.Outbound);
        Assert.Equal(AudioCodec.Pcma, calleeLeg.Session!.Options.Codec);

        // What Alice says now reaches the desk phone, A-law, and the other way round.
        var bBefore = b.LoudFrames();
        _ = a.Play(ToneGenerator.Beep(TimeSpan.FromSeconds(1), 500));
        await b.WaitLoudFramesAsync(bBefore + 30);
        var aBefore = a.LoudFrames();
        _ = b.Play(ToneGenerator.Beep(TimeSpan.FromSeconds(1), 900));
        await a.WaitLoudFramesAsync(aBefore + 30);

        await a.HangUpAsync().WaitAsync(Rig.Patience);
        await b.Ended.WaitAsync(Rig.Patience);
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task CalleeEndsDuringEarlyMedia_CallerGetsItsCode_AndEverythingIsReleased()
    {
        await using var rig = await Rig.StartAsync();
        await using var bob = await TestPhone.StartAsync();
        await SetUpSessionAsync(rig, bob, "Open");
        var giveUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bob.Sip.IncomingCall = dialog => _ = Task.Run(async () =>
        {
            var (call, answer) = Take(bob, dialog);
            dialog.Ring(183, answer, Sdp);
            call.Media.StartSending();
            // An announcement, then the far end gives up ("the number you called is not available").
            _ = call.Play(ToneGenerator.Beep(TimeSpan.FromSeconds(5), 700));
            await giveUp.Task;
            dialog.Reject(480);
        });
        await using var alice = await rig.NewPhoneAsync();
        using var a = new PhoneCall(alice.Media.TryOpenLeg()!);

        var invite = alice.Sip.InviteAsync(AliceInvite(rig, a, new ConcurrentQueue<SipResponse>()));
        await a.WaitLoudFramesAsync(20);
        giveUp.SetResult();
        var result = await invite.WaitAsync(Rig.Patience);

        Assert.Equal(480, result.FinalResponse.StatusCode);
        Assert.Contains(183, a.Provisionals);
        a.Dispose();
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task CalleeOffersANewCodecInALaterReliable183_TheCalleeLegAnswersInThePrack_AndSwitchesItsRtp()
    {
        await using var rig = await Rig.StartAsync();
        // Bob prefers A-law when he offers, but answers OpenSMA's mu-law-first offer with mu-law.
        await using var bob = await TestPhone.StartAsync(new MediaCapabilities([AudioCodec.Pcma, AudioCodec.Pcmu]));
        await SetUpSessionAsync(rig, bob, "Open");
        var bobCall = new TaskCompletionSource<PhoneCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        var prackAnswer = new TaskCompletionSource<SipRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        bob.Sip.IncomingCall = dialog => _ = Task.Run(async () =>
        {
            try
            {
                var (call, answer) = Take(bob, dialog);
                Assert.True(await dialog.RingReliablyAsync(183, answer, Sdp));
                var newOffer = Encoding.UTF8.GetBytes(call.Media.CreateOffer().ToString());
                Assert.True(await dialog.RingReliablyAsync(183, newOffer, Sdp));
                SipEarlyAnswerReceived? answered = null;
                while (answered is null && dialog.Events.TryRead(out var e))
                {
                    answered = e as SipEarlyAnswerReceived;
                }

                Assert.NotNull(answered);
                Assert.Null(call.Media.ProcessAnswer(SdpParser.Parse(Encoding.UTF8.GetString(answered.Prack.Body.Span)).Description!));
                prackAnswer.TrySetResult(answered.Prack);
                call.Media.StartSending();
                call.Watch(dialog);
                bobCall.TrySetResult(call);
                // The 200 repeats Bob's latest description, the offer the PRACK answered.
                await dialog.AnswerAsync(newOffer, Sdp);
            }
            catch (Exception ex)
            {
                prackAnswer.TrySetException(ex);
            }
        });
        await using var alice = await rig.NewPhoneAsync();
        using var a = new PhoneCall(alice.Media.TryOpenLeg()!);

        var result = await alice.Sip.InviteAsync(AliceInvite(rig, a, new ConcurrentQueue<SipResponse>())).WaitAsync(Rig.Patience);
        Assert.Equal(200, result.FinalResponse.StatusCode);
        a.OnResult(result);

        var prack = await prackAnswer.Task.WaitAsync(Rig.Patience);
        var b = await bobCall.Task.WaitAsync(Rig.Patience);
        var ourAnswer = SdpParser.Parse(Encoding.UTF8.GetString(prack.Body.Span)).Description!;
        var ourOffer = SdpParser.Parse(Encoding.UTF8.GetString(b.Dialog!.InitialInvite.Body.Span)).Description!;
        Assert.Equal(ourOffer.Origin.SessionId, ourAnswer.Origin.SessionId);
        Assert.True(ourAnswer.Origin.SessionVersion > ourOffer.Origin.SessionVersion, "a changed description needs a new o= version");
        Assert.Equal(ourOffer.Media.Count, ourAnswer.Media.Count);
        var calleeLeg = Assert.Single(rig.LegsSnapshot(), l => l.Direction == Engine.Legs.LegDirection.Outbound);
        Assert.Equal(AudioCodec.Pcma, calleeLeg.Session!.Options.Codec);
        var callerLeg = Assert.Single(rig.LegsSnapshot(), l => l.Direction == Engine.Legs.LegDirection.Inbound);
        Assert.Equal(AudioCodec.Pcmu, callerLeg.Session!.Options.Codec);

        // Audio crosses the bridge both ways, A-law on Bob's side now.
        var bBefore = b.LoudFrames();
        _ = a.Play(ToneGenerator.Beep(TimeSpan.FromSeconds(1), 500));
        await b.WaitLoudFramesAsync(bBefore + 30);
        var aBefore = a.LoudFrames();
        _ = b.Play(ToneGenerator.Beep(TimeSpan.FromSeconds(1), 900));
        await a.WaitLoudFramesAsync(aBefore + 30);
        Assert.Equal(AudioCodec.Pcma, b.Media.Session.Options.Codec);

        await a.HangUpAsync().WaitAsync(Rig.Patience);
        Assert.Equal(SipEndReason.RemoteHangUp, (await b.Ended.WaitAsync(Rig.Patience)).Reason);
        await rig.AssertAllReleasedAsync();
    }

    // sipp calls Alice's proxy number requiring 100rel; Bob sends 183 with SDP and answers at once.
    // The caller's leg relays the 183 reliably and holds the 200 until the PRACK (and its offer) is
    // answered. The ACK reports the o= lines sipp saw, for the test to compare.
    private static string PrackOfferScenario(string prackOffer, int prackStatus, string codecIn200) => $$"""
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="new offer in PRACK">
  <send retrans="500" start_txn="invite">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{{Alice}}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:{{Alice}}@[local_ip]:[local_port]>
      Max-Forwards: 70
      Require: 100rel
      Supported: 100rel
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=- 7 1 IN IP4 [local_ip]
      s=-
      c=IN IP4 [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 8 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:8 PCMA/8000
      a=rtpmap:101 telephone-event/8000

    ]]>
  </send>
  <recv response="100" optional="true" response_txn="invite"/>
  <recv response="180" optional="true" response_txn="invite"/>
  <recv response="183" response_txn="invite">
    <action>
      <ereg regexp="[0-9]+" search_in="hdr" header="RSeq:" check_it="true" assign_to="rseq"/>
      <ereg regexp="o=[-A-Za-z0-9 .:]*" search_in="body" check_it="true" assign_to="early_o"/>
    </action>
  </recv>
  <send retrans="500" start_txn="prack">
    <![CDATA[
      PRACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{{Alice}}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 PRACK
      RAck: [$rseq] 1 INVITE
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=- 7 2 IN IP4 [local_ip]
      s=-
      c=IN IP4 [media_ip]
      t=0 0
{{prackOffer}}

    ]]>
  </send>
{{(prackStatus == 200 ? PrackAnswerCheck : $"  <recv response=\"{prackStatus}\" response_txn=\"prack\"/>")}}
  <recv response="200" response_txn="invite">
    <action>
      <ereg regexp="a=rtpmap:[0-9]+ {{codecIn200}}/8000" search_in="body" check_it="true" assign_to="final_codec"/>
      <ereg regexp="o=[-A-Za-z0-9 .:]*" search_in="body" check_it="true" assign_to="final_o"/>
    </action>
  </recv>
  <send ack_txn="invite">
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{{Alice}}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      X-Early-Origin: [$early_o]
{{(prackStatus == 200 ? "      X-Prack-Origin: [$prack_o]\n      X-Prack-Codec: [$prack_codec]\n" : "")}}      X-Final-Origin: [$final_o]
      X-Final-Codec: [$final_codec]
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <pause milliseconds="500"/>
  <send retrans="500">
    <![CDATA[
      BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{{Alice}}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 3 BYE
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>
</scenario>
""";

    private const string PrackAnswerCheck = """
  <recv response="200" response_txn="prack">
    <action>
      <ereg regexp="o=[-A-Za-z0-9 .:]*" search_in="body" check_it="true" assign_to="prack_o"/>
      <ereg regexp="a=rtpmap:8 PCMA/8000" search_in="body" check_it="true" assign_to="prack_codec"/>
    </action>
  </recv>
""";

    private const string PcmaOffer = """
      m=audio [media_port] RTP/AVP 8 101
      a=rtpmap:8 PCMA/8000
      a=rtpmap:101 telephone-event/8000
""";

    private const string OpusOnlyOffer = """
      m=audio [media_port] RTP/AVP 96
      a=rtpmap:96 opus/48000/2
""";

    [Fact]
    public async Task Sipp_CallerOffersANewCodecInItsPrack_CallerLegAnswersIn200WithANewVersion_AndThe200RepeatsIt()
    {
        var (rig, bob, callerAck) = await StartForSippAsync();
        await using (rig)
        await using (bob)
        {
            var sipp = await SippCall.RunAsync(PrackOfferScenario(PcmaOffer, 200, "PCMA"), rig.SipAddress, AliceProxy);

            Assert.True(sipp.ExitCode == 0, sipp.Output);
            var ack = await callerAck.Task.WaitAsync(Rig.Patience);
            var early = Version(ack.Headers.Get("X-Early-Origin"));
            var prack = Version(ack.Headers.Get("X-Prack-Origin"));
            Assert.True(prack > early, $"the answer in the PRACK's 200 needs a new o= version ({early} -> {prack})");
            Assert.Equal(prack, Version(ack.Headers.Get("X-Final-Origin")));
            var callerLeg = Assert.Single(rig.LegsSnapshot(), l => l.Direction == Engine.Legs.LegDirection.Inbound);
            Assert.Equal(AudioCodec.Pcma, callerLeg.Session!.Options.Codec);
            await rig.AssertAllReleasedAsync();
        }
    }

    [Fact]
    public async Task Sipp_CallerOffersAnUnusableCodecInItsPrack_Gets488_AndTheCallGoesOnWithTheOldSession()
    {
        var (rig, bob, callerAck) = await StartForSippAsync();
        await using (rig)
        await using (bob)
        {
            var sipp = await SippCall.RunAsync(PrackOfferScenario(OpusOnlyOffer, 488, "PCMU"), rig.SipAddress, AliceProxy);

            Assert.True(sipp.ExitCode == 0, sipp.Output);
            var ack = await callerAck.Task.WaitAsync(Rig.Patience);
            Assert.Equal(Version(ack.Headers.Get("X-Early-Origin")), Version(ack.Headers.Get("X-Final-Origin")));
            var callerLeg = Assert.Single(rig.LegsSnapshot(), l => l.Direction == Engine.Legs.LegDirection.Inbound);
            Assert.Equal(AudioCodec.Pcmu, callerLeg.Session!.Options.Codec);
            await rig.AssertAllReleasedAsync();
        }
    }

    /// <summary>A rig with the proxy session, and a Bob who sends 183 with SDP and answers at once; completes with the caller leg's ACK.</summary>
    private static async Task<(Rig Rig, TestPhone Bob, TaskCompletionSource<SipRequest> CallerAck)> StartForSippAsync()
    {
        var rig = await Rig.StartAsync();
        var bob = await TestPhone.StartAsync();
        await SetUpSessionAsync(rig, bob, "Open");
        bob.Sip.IncomingCall = dialog => _ = Task.Run(async () =>
        {
            var (call, answer) = Take(bob, dialog);
            dialog.Ring(183, answer, Sdp);
            call.Media.StartSending();
            call.Watch(dialog);
            await dialog.AnswerAsync(answer, Sdp);
        });
        var callerAck = new TaskCompletionSource<SipRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        rig.Telephony.Inbound!.ProxyCallStarted += (caller, _, _) => _ = Task.Run(async () =>
        {
            if (await caller.Dialog!.InitialAck is { } ack)
            {
                callerAck.TrySetResult(ack);
            }
        });
        return (rig, bob, callerAck);
    }

    private static ulong Version(string? originLine)
    {
        // o=<username> <sess-id> <sess-version> IN IP4 <address>
        Assert.NotNull(originLine);
        return ulong.Parse(originLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Bob takes a call: his media answers OpenSMA's offer; the call is kept for disposal.</summary>
    private static (PhoneCall Call, byte[] Answer) Take(TestPhone bob, SipDialog dialog)
    {
        var call = new PhoneCall(bob.Media.TryOpenLeg()!) { Dialog = dialog };
        bob.Incoming.Enqueue(call);
        var offer = SdpParser.Parse(Encoding.UTF8.GetString(dialog.InitialInvite.Body.Span)).Description!;
        return (call, Encoding.UTF8.GetBytes(call.Media.Answer(offer).Answer!.ToString()));
    }

    /// <summary>Alice calls Bob's masked number; early SDP in a provisional starts her media as it arrives.</summary>
    private static SipInviteOptions AliceInvite(Rig rig, PhoneCall a, ConcurrentQueue<SipResponse> provisionals) => new()
    {
        Target = SipUri.Sip(AliceProxy, "127.0.0.1", rig.SipAddress.Port),
        From = new SipNameAddress(SipUri.Sip(Alice, "127.0.0.1")),
        Body = Encoding.UTF8.GetBytes(a.Media.CreateOffer().ToString()),
        ContentType = Sdp,
        OnProvisional = r =>
        {
            provisionals.Enqueue(r);
            a.Provisionals.Enqueue(r.StatusCode);
            if (!r.Body.IsEmpty && !a.Media.IsNegotiated && SdpParser.Parse(Encoding.UTF8.GetString(r.Body.Span)).Description is { } early)
            {
                a.Media.ProcessAnswer(early);
                a.Media.StartSending();
            }
        },
    };

    /// <summary>A voice connector whose trunk reaches Bob's phone, both proxy numbers on it, and one open session between Alice and Bob.</summary>
}
