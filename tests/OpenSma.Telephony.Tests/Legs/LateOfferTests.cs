using OpenSma.Media.Sdp;
using OpenSma.Telephony.Tests.Support;

namespace OpenSma.Telephony.Tests.Legs;

/// <summary>
/// Offer in the 200 OK, answer in the ACK (RFC 3261 §13.2.1, RFC 3264): an INVITE without SDP and
/// an offerless re-INVITE, driven by sipp over loopback.
/// </summary>
public sealed class LateOfferTests
{
    private const string Headers = """
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:+15559870000@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      Max-Forwards: 70
      Contact: <sip:+15559870000@[local_ip]:[local_port]>
""";

    private static string Sdp(string direction) => $"""
      v=0
      o=- 1 1 IN IP4 [local_ip]
      s=-
      c=IN IP4 [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a={direction}
""";

    // Waits for the SMA's BYE and answers it.
    private const string ByeAndOk = """
  <recv request="BYE"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>
""";

    private static readonly string OfferlessInvite = $"""
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="INVITE without SDP, answer in the ACK">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
{Headers}
      CSeq: 1 INVITE
      Content-Length: 0

    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200">
    <action><ereg regexp="m=audio [0-9]+ RTP/AVP" search_in="body" check_it="true" assign_to="offer"/></action>
  </recv>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
{Headers}
      CSeq: 1 ACK
      X-Offer-Seen: [$offer]
      Content-Type: application/sdp
      Content-Length: [len]

{Sdp("sendrecv")}
    ]]>
  </send>
{ByeAndOk}
</scenario>
""";

    private static readonly string OfferlessReInvite = $"""
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="offerless re-INVITE, answer (sendonly) in the ACK">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
{Headers}
      CSeq: 1 INVITE
      Content-Type: application/sdp
      Content-Length: [len]

{Sdp("sendrecv")}
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200"/>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
{Headers}
      CSeq: 1 ACK
      Content-Length: 0

    ]]>
  </send>
  <pause milliseconds="300"/>
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
{Headers}
      CSeq: 2 INVITE
      Content-Length: 0

    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="200">
    <action><ereg regexp="m=audio [0-9]+ RTP/AVP" search_in="body" check_it="true" assign_to="offer"/></action>
  </recv>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
{Headers}
      CSeq: 2 ACK
      X-Offer-Seen: [$offer]
      Content-Type: application/sdp
      Content-Length: [len]

{Sdp("sendonly")}
    ]]>
  </send>
{ByeAndOk}
</scenario>
""";

    [Fact]
    public async Task InviteWithoutSdp_OfferGoesInThe200_AnswerFromTheAckStartsMedia()
    {
        await using var rig = await StartPlayThenHangUpAsync("hello.wav", TimeSpan.FromSeconds(1));

        var sipp = await SippCall.RunAsync(OfferlessInvite, rig.SipAddress, Rig.Number);

        Assert.True(sipp.ExitCode == 0, sipp.Output);
        var leg = Assert.Single(rig.LegsSnapshot());
        // Without the ACK's answer the session has no destination and sends nothing.
        Assert.True(leg.GetRtpStatistics()!.PacketsSent >= 25, $"sent {leg.GetRtpStatistics()!.PacketsSent}");
        Assert.Equal(MediaDirection.SendRecv, leg.Session!.Options.Direction);
        await rig.Handler.WaitForAsync("ACTION_SUCCESSFUL");
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task OfferlessReInvite_AnswerInTheAckIsApplied()
    {
        await using var rig = await StartPlayThenHangUpAsync("long.wav", TimeSpan.FromSeconds(2));

        var sipp = await SippCall.RunAsync(OfferlessReInvite, rig.SipAddress, Rig.Number);

        Assert.True(sipp.ExitCode == 0, sipp.Output);
        var leg = Assert.Single(rig.LegsSnapshot());
        // The caller answered sendonly (it holds us): we only receive now.
        Assert.Equal(MediaDirection.RecvOnly, leg.Session!.Options.Direction);
        await rig.AssertAllReleasedAsync();
    }

    /// <summary>A rig whose SMA answers a new call with one prompt and hangs up after it.</summary>
    private static async Task<Rig> StartPlayThenHangUpAsync(string promptName, TimeSpan promptLength)
    {
        var rig = await Rig.StartAsync();
        string prompt;
        try
        {
            await rig.AddSmaAsync();
            await rig.AddRuleAsync(Rig.Number, false, "sma-1");
            prompt = await rig.AddPromptAsync(promptName, promptLength);
        }
        catch
        {
            await rig.DisposeAsync();
            throw;
        }

        rig.Handler.Script = e => ScriptedHandler.Type(e) switch
        {
            "NEW_INBOUND_CALL" => "[" + Rig.PlayAudio(prompt) + "]",
            "ACTION_SUCCESSFUL" => """[{"Type":"Hangup","Parameters":{}}]""",
            _ => null,
        };
        return rig;
    }
}
