using System.Collections.Concurrent;
using System.Net;
using System.Text;
using OpenSma.Sip.Auth;
using OpenSma.Sip.Dialogs;

namespace OpenSma.Sip.Tests.Interop;

/// <summary>
/// sipp (Debian sip-tester) as the caller against our UAS on loopback, over UDP and TCP. The test
/// application rings and answers, except for the called numbers "ring" (never answers),
/// "hangup" (hangs up right after the ACK), "trunk" (digest-challenged per call by the
/// application), "lateoffer" (offer in our 2xx, answer in the ACK, also for a re-INVITE) and
/// "prackanswer" (offer in our reliable 183, answer in the PRACK).
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
        public int TrunkChallenges;
        public ConcurrentQueue<string> Answers { get; } = new();

        private readonly SemaphoreSlim _progress = new(0);

        /// <summary>Waits (bounded) until the application's async steps have brought the condition about.</summary>
        public async Task UntilAsync(Func<bool> condition)
        {
            while (!condition() && await _progress.WaitAsync(Limit))
            {
            }
        }

        private void Record(string answer)
        {
            Answers.Enqueue(answer);
            _progress.Release();
        }

        private void Count(ref int counter)
        {
            Interlocked.Increment(ref counter);
            _progress.Release();
        }

        // sipp computes MD5 only and answers the first challenge it sees.
        private readonly SipDigestVerifier _verifier = new() { Algorithms = ["MD5"] };

        public void OnCall(SipDialog dialog)
        {
            Interlocked.Increment(ref Calls);
            var user = dialog.InitialInvite.RequestUri.User;
            if (user == "early")
            {
                _ = EarlyMediaAsync(dialog);
                return;
            }

            if (user == "trunk")
            {
                var result = _verifier.Verify(dialog.InitialInvite, "trunk.example.com", u => u == "sipp" ? "secret" : null);
                if (!result.IsAuthenticated)
                {
                    Interlocked.Increment(ref TrunkChallenges);
                    dialog.RejectWithChallenge(_verifier, "trunk.example.com", result);
                    return;
                }
            }

            if (user == "lateoffer")
            {
                _ = LateOfferAsync(dialog);
                return;
            }

            if (user == "prackanswer")
            {
                _ = AnswerInPrackAsync(dialog);
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

        /// <summary>No SDP in the INVITE: our 200 offers, the ACK answers; the same for an offerless re-INVITE.</summary>
        private async Task LateOfferAsync(SipDialog dialog)
        {
            var confirmed = dialog.AnswerAsync(Answer, "application/sdp");
            if (await dialog.InitialAck is { } ack)
            {
                Record(Encoding.ASCII.GetString(ack.Body.Span));
            }

            if (!await confirmed)
            {
                return;
            }

            Count(ref Confirmed);
            await foreach (var e in dialog.Events.ReadAllAsync())
            {
                if (e is SipDialogRequestReceived { Request: { Method: "INVITE" } reInvite } && reInvite.Request.Body.IsEmpty)
                {
                    Count(ref ReInvites);
                    reInvite.Respond(200, Answer, "application/sdp");
                    if (await reInvite.Ack is { } reAck)
                    {
                        Record(Encoding.ASCII.GetString(reAck.Body.Span));
                    }
                }
            }
        }

        /// <summary>No SDP in the INVITE and 100rel required: our reliable 183 offers, the PRACK answers.</summary>
        private async Task AnswerInPrackAsync(SipDialog dialog)
        {
            var pracked = dialog.RingReliablyAsync(183, Answer, "application/sdp");
            await foreach (var e in dialog.Events.ReadAllAsync())
            {
                if (e is SipEarlyAnswerReceived early)
                {
                    Record(Encoding.ASCII.GetString(early.Prack.Body.Span));
                    break;
                }
            }

            if (await pracked)
            {
                Count(ref Pracked);
            }

            await AnswerAsync(dialog, hangUp: false);
        }

        private async Task AnswerAsync(SipDialog dialog, bool hangUp)
        {
            if (await dialog.AnswerAsync(Answer, "application/sdp"))
            {
                Count(ref Confirmed);
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
            // sipp's digest uri defaults to sip:remote_ip:remote_port; ours must name the Request-URI (sipp adds the "sip:").
            "-auth_uri", $"{service}@127.0.0.1:{port}",
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

    [Theory]
    [InlineData("u1")]
    [InlineData("t1")]
    public async Task TrunkChallengeByApplication_SippAuthenticates(string transport)
    {
        var (endpoint, app, port) = await StartAsync();
        await using (endpoint)
        {
            AssertPassed(await RunSippAsync(port, transport, "trunk", "uac-auth.xml"));
            await app.UntilAsync(() => app.Confirmed == 1);
            Assert.Equal(1, app.TrunkChallenges);
            Assert.Equal(2, app.Calls);
            Assert.Equal(1, app.Confirmed);
        }
    }

    [Theory]
    [InlineData("u1")]
    [InlineData("t1")]
    public async Task LateOffer_AnswersInAcksReachApplication(string transport)
    {
        var (endpoint, app, port) = await StartAsync();
        await using (endpoint)
        {
            AssertPassed(await RunSippAsync(port, transport, "lateoffer", "uac-late-offer.xml"));
            await app.UntilAsync(() => app.Answers.Count == 2);
            Assert.Equal(1, app.ReInvites);
            Assert.Collection(
                app.Answers,
                a => Assert.Contains("a=x-answer-in-ack", a, StringComparison.Ordinal),
                a => Assert.Contains("a=x-answer-in-reinvite-ack", a, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("u1")]
    [InlineData("t1")]
    public async Task AnswerInPrack_IsTakenByStackAndReachesApplication(string transport)
    {
        var (endpoint, app, port) = await StartAsync();
        await using (endpoint)
        {
            AssertPassed(await RunSippAsync(port, transport, "prackanswer", "uac-prack-answer.xml"));
            await app.UntilAsync(() => app.Confirmed == 1);
            Assert.Contains("a=x-answer-in-prack", Assert.Single(app.Answers), StringComparison.Ordinal);
            Assert.Equal(1, app.Pracked);
            Assert.Equal(1, app.Confirmed);
        }
    }
}
