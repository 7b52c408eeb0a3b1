using System.Net;
using System.Text;
using OpenSma.Sip.Dialogs;

namespace OpenSma.Sip.Tests.Interop;

/// <summary>
/// sipp (Debian sip-tester) as the caller against our UAS on loopback, over UDP and TCP. The test
/// application rings and answers, except for the called numbers "ring" (never answers) and
/// "hangup" (hangs up right after the ACK).
/// </summary>
[Collection("sipp")]
public sealed class SippUasTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);
    private static readonly string ScenarioFolder = Path.Combine(AppContext.BaseDirectory, "Interop", "Scenarios");
    private static readonly byte[] Answer = Encoding.ASCII.GetBytes(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n");

    private sealed class TestApplication
    {
        public int Calls;
        public int Confirmed;
        public int ReInvites;
        public int Pracked;

        public void OnCall(SipDialog dialog)
        {
            Interlocked.Increment(ref Calls);
            var user = dialog.InitialInvite.RequestUri.User;
            if (user == "early")
            {
                _ = EarlyMediaAsync(dialog);
                return;
            }

            dialog.Ring();
            if (user == "ring")
            {
                return;
            }

            _ = AnswerAsync(dialog, hangUp: user == "hangup");
        }

        /// <summary>A reliable 183 with SDP, and the answer asked for at once: the stack holds the 200 until the PRACK.</summary>
        private async Task EarlyMediaAsync(SipDialog dialog)
        {
            var pracked = dialog.RingReliablyAsync(183, Answer, "application/sdp");
            var answered = AnswerAsync(dialog, hangUp: false);
            if (await pracked)
            {
                Interlocked.Increment(ref Pracked);
            }

            await answered;
        }

        private async Task AnswerAsync(SipDialog dialog, bool hangUp)
        {
            if (await dialog.AnswerAsync(Answer, "application/sdp"))
            {
                Interlocked.Increment(ref Confirmed);
                if (hangUp)
                {
                    await dialog.HangUpAsync();
                    return;
                }

                await foreach (var e in dialog.Events.ReadAllAsync())
                {
                    if (e is SipDialogRequestReceived { Request: { Method: "INVITE" } reInvite })
                    {
                        // Hold: answer the sendonly offer with recvonly.
                        Interlocked.Increment(ref ReInvites);
                        reInvite.Respond(200, Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(Answer) + "a=recvonly\r\n"), "application/sdp");
                    }
                }
            }
        }
    }

    private static async Task<(SipEndpoint Endpoint, TestApplication App, int Port)> StartAsync(SipEndpointOptions? options = null)
    {
        var port = SippProcess.FreePort();
        var loopback = new IPEndPoint(IPAddress.Loopback, port);
        var endpoint = new SipEndpoint((options ?? new SipEndpointOptions()) with { UdpEndPoints = [loopback], TcpEndPoints = [loopback] });
        var app = new TestApplication();
        endpoint.IncomingCall = app.OnCall;
        await endpoint.StartAsync();
        return (endpoint, app, port);
    }

    private static Task<SippProcess.Outcome> RunSippAsync(int port, string transport, string service, string? scenario, params string[] extra)
    {
        List<string> args =
        [
            $"127.0.0.1:{port}", scenario is null ? "-sn" : "-sf", scenario is null ? "uac" : Path.Combine(ScenarioFolder, scenario),
            "-s", service, "-i", "127.0.0.1", "-p", SippProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-mp", SippProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-t", transport, "-m", "1", "-d", "200", "-timeout", "60s", "-timeout_error", "-nostdin", "-trace_err",
            "-max_recv_loops", "1000",
        ];
        args.AddRange(extra);
        return SippProcess.RunAsync(args, Limit);
    }

    private static void AssertPassed(SippProcess.Outcome outcome) =>
        Assert.True(outcome.ExitCode == 0, $"sipp exit {outcome.ExitCode}\n{outcome.Errors}\n{outcome.Output[^Math.Min(3000, outcome.Output.Length)..]}");

    [Theory]
    [InlineData("u1")]
    [InlineData("t1")]
    public async Task BuiltInUac_BasicCallWithBye_Succeeds(string transport)
    {
        var (endpoint, app, port) = await StartAsync();
        await using (endpoint)
        {
            AssertPassed(await RunSippAsync(port, transport, "15551230000", null));
            Assert.Equal(1, app.Calls);
            Assert.Equal(1, app.Confirmed);
        }
    }

    [Theory]
    [InlineData("u1")]
    [InlineData("t1")]
    public async Task Cancel_BeforeAnswer_Gets487(string transport)
    {
        var (endpoint, app, port) = await StartAsync();
        await using (endpoint)
        {
            AssertPassed(await RunSippAsync(port, transport, "ring", "uac-cancel.xml"));
            Assert.Equal(1, app.Calls);
            Assert.Equal(0, app.Confirmed);
        }
    }

    [Theory]
    [InlineData("u1")]
    [InlineData("t1")]
    public async Task RetransmittedInvite_MakesOneCall(string transport)
    {
        var (endpoint, app, port) = await StartAsync();
        await using (endpoint)
        {
            // -nr: sipp would otherwise answer each (correctly) repeated 180 by resending its INVITE, forever.
            AssertPassed(await RunSippAsync(port, transport, "ring", "uac-retransmit.xml", "-nr"));
            Assert.Equal(1, app.Calls);
            Assert.Equal(0, app.Confirmed);
        }
    }

    [Theory]
    [InlineData("u1")]
    [InlineData("t1")]
    public async Task ByeFromOurSide_IsAnsweredBySipp(string transport)
    {
        var (endpoint, app, port) = await StartAsync();
        await using (endpoint)
        {
            AssertPassed(await RunSippAsync(port, transport, "hangup", "uac-remote-bye.xml"));
            Assert.Equal(1, app.Confirmed);
        }
    }

    [Theory]
    [InlineData("u1")]
    [InlineData("t1")]
    public async Task DigestChallenge_SippAuthenticates(string transport)
    {
        // sipp computes MD5 digests only and answers the first challenge it sees, so offer MD5 alone.
        var options = new SipEndpointOptions
        {
            Users = new Dictionary<string, string> { ["sipp"] = "secret" },
            AuthenticateInvites = true,
            DigestAlgorithms = ["MD5"],
        };
        var (endpoint, app, port) = await StartAsync(options);
        await using (endpoint)
        {
            AssertPassed(await RunSippAsync(port, transport, "15551230000", "uac-auth.xml"));
            Assert.Equal(1, app.Confirmed);
        }
    }

    [Theory]
    [InlineData("u1")]
    public async Task LostAck_200IsRetransmittedAndCallSurvives(string transport)
    {
        var (endpoint, app, port) = await StartAsync();
        await using (endpoint)
        {
            AssertPassed(await RunSippAsync(port, transport, "15551230000", "uac-lost-ack.xml", "-nr"));
            Assert.Equal(1, app.Confirmed);
        }
    }

    [Theory]
    [InlineData("u1")]
    [InlineData("t1")]
    public async Task ReInviteHold_IsAnsweredByApplication(string transport)
    {
        var (endpoint, app, port) = await StartAsync();
        await using (endpoint)
        {
            AssertPassed(await RunSippAsync(port, transport, "15551230000", "uac-reinvite-hold.xml"));
            Assert.Equal(1, app.ReInvites);
        }
    }

    [Theory]
    [InlineData("u1")]
    [InlineData("t1")]
    public async Task Require100rel_Reliable183IsPrackedBeforeThe200(string transport)
    {
        var (endpoint, app, port) = await StartAsync();
        await using (endpoint)
        {
            AssertPassed(await RunSippAsync(port, transport, "early", "uac-prack.xml"));
            Assert.Equal(1, app.Pracked);
            Assert.Equal(1, app.Confirmed);
        }
    }
}
