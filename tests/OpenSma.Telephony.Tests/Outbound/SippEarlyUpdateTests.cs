using System.Globalization;
using OpenSma.Storage.Resources;
using OpenSma.Engine.Legs;
using OpenSma.Media.Codecs;
using OpenSma.Sip.Dialogs;
using OpenSma.Telephony.Tests.Support;
using OpenSma.Testing;

namespace OpenSma.Telephony.Tests.Outbound;

/// <summary>
/// The callee renegotiates in the early dialog with UPDATE (RFC 3311): a CallAndBridge LEG-B dials
/// a sipp UAS over a trunk; sipp sends 183 with SDP (100rel, PCMU), takes our PRACK, then sends an
/// UPDATE offering PCMA with a new o= version, checks that our 200 answers it with PCMA, and answers
/// the INVITE. The outbound leg's RTP follows the UPDATE, and a 2xx that repeats the 183's older
/// description does not take it back.
/// </summary>
public sealed class SippEarlyUpdateTests
{
    private const string VcArn = "arn:aws:chime:us-east-1:111122223333:vc/vc1";

    private const string Bridge =
        "[{\"Type\":\"CallAndBridge\",\"Parameters\":{\"CallerIdNumber\":\"+15557654321\",\"CallTimeoutSeconds\":30,"
        + "\"Endpoints\":[{\"BridgeEndpointType\":\"AWS\",\"Arn\":\"" + VcArn + "\",\"Uri\":\"5550\"}]}}]";

    private static string CalleeSdp(int version, int payloadType, string codec) => $"""
      v=0
      o=callee 7 {version.ToString(CultureInfo.InvariantCulture)} IN IP4 [local_ip]
      s=-
      c=IN IP4 [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP {payloadType.ToString(CultureInfo.InvariantCulture)}
      a=rtpmap:{payloadType.ToString(CultureInfo.InvariantCulture)} {codec}/8000
""";

    // sipp as the callee. It keeps the INVITE's headers to answer it after the UPDATE, and logs the
    // o= lines of our INVITE's offer and of our answer to its UPDATE for the test to compare.
    private static string Scenario(string sdpIn200) => $$"""
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="callee renegotiates in an early UPDATE">
  <recv request="INVITE">
    <action>
      <ereg regexp=".*" search_in="hdr" header="Via:" check_it="true" assign_to="via"/>
      <ereg regexp=".*" search_in="hdr" header="From:" check_it="true" assign_to="caller"/>
      <ereg regexp=".*" search_in="hdr" header="To:" check_it="true" assign_to="callee"/>
      <ereg regexp=".*" search_in="hdr" header="CSeq:" check_it="true" assign_to="cseq"/>
      <ereg regexp="sip:[^>]*" search_in="hdr" header="Contact:" check_it="true" assign_to="contact"/>
      <ereg regexp="o=[^ ]+ [0-9]+ [0-9]+" search_in="body" check_it="true" assign_to="offer"/>
    </action>
  </recv>
  <send>
    <![CDATA[
      SIP/2.0 100 Trying
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
  <send>
    <![CDATA[
      SIP/2.0 183 Session Progress
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:callee@[local_ip]:[local_port]>
      Require: 100rel
      RSeq: 1
      Allow: INVITE, ACK, BYE, CANCEL, PRACK, UPDATE
      Content-Type: application/sdp
      Content-Length: [len]

{{CalleeSdp(1, 0, "PCMU")}}
    ]]>
  </send>
  <recv request="PRACK"/>
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
  <send retrans="500">
    <![CDATA[
      UPDATE [$contact] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From:[$callee];tag=[pid]SIPpTag01[call_number]
      To:[$caller]
      Call-ID: [call_id]
      CSeq: 1 UPDATE
      Contact: <sip:callee@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

{{CalleeSdp(2, 8, "PCMA")}}
    ]]>
  </send>
  <recv response="200">
    <action>
      <ereg regexp="a=rtpmap:8 PCMA" search_in="body" check_it="true" assign_to="pcma"/>
      <ereg regexp="o=[^ ]+ [0-9]+ [0-9]+" search_in="body" check_it="true" assign_to="answer"/>
      <log message="OFFER [$offer]"/>
      <log message="ANSWER [$answer]"/>
      <log message="CODEC [$pcma]"/>
    </action>
  </recv>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      Via:[$via]
      From:[$caller]
      To:[$callee];tag=[pid]SIPpTag01[call_number]
      Call-ID: [call_id]
      CSeq:[$cseq]
      Contact: <sip:callee@[local_ip]:[local_port]>
      Allow: INVITE, ACK, BYE, CANCEL, PRACK, UPDATE
      Content-Type: application/sdp
      Content-Length: [len]

{{sdpIn200}}
    ]]>
  </send>
  <recv request="ACK"/>
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
</scenario>
""";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CalleeUpdatesToPcmaBeforeAnswering_LegBAnswersIn200_AndItsRtpKeepsPcma(bool okRepeatsThe183sOlderSdp)
    {
        await using var rig = await Rig.StartAsync();
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        rig.Handler.Script = e => (ScriptedHandler.Type(e), (string?)e["ActionData"]?["Parameters"]?["ParticipantTag"]) switch
        {
            ("NEW_INBOUND_CALL", _) => Bridge,
            ("HANGUP", "LEG-A") => """[{"Type":"Hangup","Parameters":{"ParticipantTag":"LEG-B"}}]""",
            _ => null,
        };
        var sippPort = FreePorts.Udp();
        Assert.True((await rig.Store.InsertAsync(
            SipDialRouterTests.Trunk("vc1", [new OriginationRoute("127.0.0.1", sippPort, "UDP", 1, 1)]),
            CancellationToken.None)).IsOk);

        var folder = Directory.CreateTempSubdirectory("sipp-early-update-");
        Task<SippResult>? sipp = null;
        try
        {
            var scenario = Path.Combine(folder.FullName, "scenario.xml");
            await File.WriteAllTextAsync(scenario, Scenario(okRepeatsThe183sOlderSdp ? CalleeSdp(1, 0, "PCMU") : CalleeSdp(2, 8, "PCMA")));
            sipp = Sipp.RunAsync(
                [
                    "-sf", scenario, "-m", "1", "-i", "127.0.0.1", "-p", sippPort.ToString(CultureInfo.InvariantCulture),
                    "-mi", "127.0.0.1", "-mp", FreePorts.RtpBlock().ToString(CultureInfo.InvariantCulture),
                    "-timeout", "60s", "-timeout_error", "-nostdin", "-trace_err", "-trace_logs",
                ],
                folder.FullName,
                TimeSpan.FromSeconds(90));
            await WaitUntilBoundAsync(sippPort, sipp);

            await using var caller = await rig.NewPhoneAsync();
            var a = await caller.CallAsync(rig.SipAddress, Rig.Number);
            Assert.Equal(200, a.FinalStatus);
            var bridged = await rig.Handler.WaitForAsync(e => ScriptedHandler.Type(e) is "ACTION_SUCCESSFUL" or "ACTION_FAILED");
            Assert.Equal("ACTION_SUCCESSFUL", ScriptedHandler.Type(bridged));

            // LEG-B's RTP took the UPDATE's codec, and the 2xx left it there.
            var legB = Assert.Single(rig.LegsSnapshot(), l => l.Direction == LegDirection.Outbound);
            Assert.Equal(AudioCodec.Pcma, legB.Session!.Options.Codec);

            await a.HangUpAsync().WaitAsync(Rig.Patience);
            var outcome = await sipp;
            Assert.True(outcome.ExitCode == 0, $"sipp exit {outcome.ExitCode}\n{outcome.Errors}\n{outcome.Output}");

            // Our answer to the UPDATE is a new version of the session our INVITE offered.
            var log = string.Join("\n", Directory.EnumerateFiles(folder.FullName, "*_logs.log").Select(File.ReadAllText));
            var offer = Origin(log, "OFFER ");
            var answer = Origin(log, "ANSWER ");
            Assert.Equal((offer.User, offer.Session), (answer.User, answer.Session));
            Assert.True(answer.Version > offer.Version, log);
            Assert.Equal(SipEndReason.LocalHangUp, (await a.Ended.WaitAsync(Rig.Patience)).Reason);
            await rig.AssertAllReleasedAsync();
        }
        finally
        {
            if (sipp is not null)
            {
                // A failed check must not leave sipp running: the runner kills it at its limit.
                await sipp;
            }

            folder.Delete(recursive: true);
        }
    }

    /// <summary>sipp binds its port before it reads the INVITE; until then a request could meet a closed port.</summary>
    private static async Task WaitUntilBoundAsync(int port, Task<SippResult> sipp)
    {
        var deadline = DateTime.UtcNow + Rig.Patience;
        while (!FreePorts.IsBound(port))
        {
            if (sipp.IsCompleted)
            {
                var early = await sipp;
                Assert.Fail($"sipp ended before it listened: {early.ExitCode}\n{early.Output}");
            }

            Assert.True(DateTime.UtcNow < deadline, "sipp never bound its port");
            await Task.Delay(50);
        }
    }

    private static (string User, string Session, ulong Version) Origin(string log, string label)
    {
        // "<label>o=<username> <sess-id> <sess-version>"
        var line = log.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(label + "o=", StringComparison.Ordinal));
        Assert.True(line is not null, $"no {label.Trim()} line in the sipp log:\n{log}");
        var fields = line[(label.Length + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (fields[0], fields[1], ulong.Parse(fields[2], CultureInfo.InvariantCulture));
    }
}
