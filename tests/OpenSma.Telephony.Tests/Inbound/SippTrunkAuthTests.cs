using System.Globalization;
using OpenSma.Storage.Resources;
using OpenSma.Telephony.Tests.Support;
using OpenSma.Testing;

namespace OpenSma.Telephony.Tests.Inbound;

/// <summary>
/// sipp (Debian sip-tester) as a trunk that must authenticate: it answers OpenSMA's 401 with the
/// voice connector's credentials (its [authentication] keyword) over UDP loopback.
/// </summary>
public sealed class SippTrunkAuthTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Sipp_AnswersTheChallengeWithTheConnectorsCredentials_CallReachesTheSma()
    {
        await using var rig = await StartAsync();

        var outcome = await RunSippAsync(rig, "pbx-user", "s3cret", expectedFinal: 603);

        Assert.True(outcome.ExitCode == 0, Describe(outcome));
        Assert.Single(rig.Handler.Events, e => ScriptedHandler.Type(e) == "NEW_INBOUND_CALL");
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task Sipp_AnswersTheChallengeWithAWrongPassword_Gets403()
    {
        await using var rig = await StartAsync();

        var outcome = await RunSippAsync(rig, "pbx-user", "not-it", expectedFinal: 403);

        Assert.True(outcome.ExitCode == 0, Describe(outcome));
        Assert.Empty(rig.Handler.Events);
        await rig.AssertAllReleasedAsync();
    }

    [Fact]
    public async Task Sipp_AnswersTheChallengeForAnotherUri_Gets400()
    {
        await using var rig = await StartAsync();

        var outcome = await RunSippAsync(rig, "pbx-user", "s3cret", expectedFinal: 400, authUri: "elsewhere.example.com");

        Assert.True(outcome.ExitCode == 0, Describe(outcome));
        Assert.Empty(rig.Handler.Events);
        await rig.AssertAllReleasedAsync();
    }

    private static async Task<Rig> StartAsync()
    {
        var rig = await Rig.StartAsync(o => o with { RequireTrunkAuthorization = true });
        // sipp 3.6 answers only the first challenge and knows MD5, not SHA-256.
        rig.Telephony.Inbound!.TrunkDigestAlgorithms = ["MD5"];
        await rig.AddSmaAsync();
        await rig.AddRuleAsync(Rig.Number, false, "sma-1");
        rig.Handler.Script = _ => """[{"Type":"Hangup","Parameters":{"SipResponseCode":"603"}}]""";
        var now = DateTimeOffset.UtcNow;
        var connector = new VoiceConnector(
            "vc1", "111122223333", "us-east-1", "pbx", "vc1.voiceconnector.example", false, null, null, now, now,
            Termination: new VoiceConnectorTermination(null, null, ["US"], ["10.0.0.0/8"], false),
            Credentials: [new TerminationCredential("pbx-user", "s3cret")]);
        Assert.True((await rig.Store.InsertAsync(connector, CancellationToken.None)).IsOk);
        return rig;
    }

    /// <param name="authUri">The digest uri sipp answers for (it adds "sip:"); by default the Request-URI, as OpenSMA requires (sipp's own default is sip:remote_ip:remote_port).</param>
    private static async Task<SippResult> RunSippAsync(Rig rig, string user, string password, int expectedFinal, string? authUri = null)
    {
        var folder = Directory.CreateTempSubdirectory("sipp-trunk-auth-");
        try
        {
            var scenario = Path.Combine(folder.FullName, "trunk-auth.xml");
            await File.WriteAllTextAsync(scenario, Scenario(user, password, expectedFinal));
            return await Sipp.RunAsync(
                [
                    $"127.0.0.1:{rig.SipAddress.Port}", "-sf", scenario, "-s", Rig.Number.TrimStart('+'),
                    "-i", "127.0.0.1", "-p", FreePorts.Udp().ToString(CultureInfo.InvariantCulture),
                    "-mp", FreePorts.Udp().ToString(CultureInfo.InvariantCulture), "-t", "u1", "-m", "1",
                    "-timeout", "60s", "-timeout_error", "-nostdin", "-trace_err", "-max_recv_loops", "1000",
                    "-auth_uri", authUri ?? $"{Rig.Number.TrimStart('+')}@127.0.0.1:{rig.SipAddress.Port}",
                ],
                folder.FullName,
                Limit);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static string Describe(SippResult outcome) =>
        $"sipp exit {outcome.ExitCode}\n{outcome.Errors}\n{outcome.Output[^Math.Min(3000, outcome.Output.Length)..]}";

    /// <summary>INVITE, 401, ACK, INVITE with the digest answer, then the expected final response and its ACK.</summary>
    private static string Scenario(string user, string password, int expectedFinal) => $$"""
        <?xml version="1.0" encoding="ISO-8859-1" ?>
        <!DOCTYPE scenario SYSTEM "sipp.dtd">
        <scenario name="trunk digest admission">
        {{Invite(1, authentication: null)}}
          <recv response="100" optional="true"/>
          <recv response="401" auth="true"/>
        {{Ack(1)}}
        {{Invite(2, $"[authentication username={user} password={password}]")}}
          <recv response="100" optional="true"/>
          <recv response="180" optional="true"/>
          <recv response="183" optional="true"/>
          <recv response="{{expectedFinal}}"/>
        {{Ack(2)}}
        </scenario>
        """;

    /// <summary>An INVITE offering PCMU (CSeq and o= version <paramref name="cseq"/>), with sipp's digest answer line when given.</summary>
    private static string Invite(int cseq, string? authentication) => $$"""
          <send retrans="500">
            <![CDATA[
              INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
              Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
              From: <sip:+15557654321@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
              To: <sip:[service]@[remote_ip]:[remote_port]>
              Call-ID: [call_id]
              CSeq: {{cseq}} INVITE
              Contact: <sip:+15557654321@[local_ip]:[local_port]>{{(authentication is null ? "" : "\n" + authentication)}}
              Max-Forwards: 70
              Content-Type: application/sdp
              Content-Length: [len]

              v=0
              o=trunk 1 {{cseq}} IN IP4 [local_ip]
              s=-
              c=IN IP4 [media_ip]
              t=0 0
              m=audio [media_port] RTP/AVP 0
              a=rtpmap:0 PCMU/8000

            ]]>
          </send>
        """;

    /// <summary>The ACK for the final response to the INVITE with CSeq <paramref name="cseq"/>.</summary>
    private static string Ack(int cseq) => $$"""
          <send>
            <![CDATA[
              ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
              [last_Via:]
              From: <sip:+15557654321@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
              To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
              Call-ID: [call_id]
              CSeq: {{cseq}} ACK
              Max-Forwards: 70
              Content-Length: 0

            ]]>
          </send>
        """;
}
