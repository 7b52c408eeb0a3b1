using System.Globalization;
using System.Net;

namespace OpenSma.Sip.Tests.Interop;

/// <summary>
/// sipp (Debian sip-tester) registering with the endpoint's registrar using its own digest
/// implementation (MD5), over UDP and over TCP: its Authorization uri must pass our check that it
/// names the Request-URI, and the binding must land. With -auth_uri naming another resource the
/// answer is 400 and nothing is bound. (sipp's default digest uri is sip:remote_ip:remote_port,
/// which matches a REGISTER sent to sip:remote_ip:remote_port.)
/// </summary>
[Collection("sipp")]
public sealed class SippRegisterTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    private static async Task<(SipEndpoint Endpoint, int Port)> StartAsync()
    {
        var port = SippProcess.FreePort();
        var loopback = new IPEndPoint(IPAddress.Loopback, port);
        var endpoint = new SipEndpoint(new SipEndpointOptions
        {
            UdpEndPoints = [loopback],
            TcpEndPoints = [loopback],
            Users = new Dictionary<string, string> { ["alice"] = "pw" },
            // sipp 3.6 computes MD5 only and answers the first challenge it sees.
            DigestAlgorithms = ["MD5"],
        });
        await endpoint.StartAsync();
        return (endpoint, port);
    }

    private static async Task<SippProcess.Outcome> RunAsync(int port, string transport, string scenario, params string[] extra)
    {
        List<string> args =
        [
            $"127.0.0.1:{port}", "-sf", Path.Combine(AppContext.BaseDirectory, "Interop", "Scenarios", scenario),
            "-s", "alice", "-i", "127.0.0.1", "-p", SippProcess.FreePort().ToString(CultureInfo.InvariantCulture),
            "-t", transport, "-m", "1", "-timeout", "60s", "-timeout_error", "-nostdin", "-trace_err",
        ];
        args.AddRange(extra);
        return await SippProcess.RunAsync(args, Limit);
    }

    private static void AssertPassed(SippProcess.Outcome outcome) =>
        Assert.True(outcome.ExitCode == 0, $"sipp exit {outcome.ExitCode}\n{outcome.Errors}\n{outcome.Output[^Math.Min(3000, outcome.Output.Length)..]}");

    [Theory]
    [InlineData("u1", "UDP")]
    [InlineData("t1", "TCP")]
    public async Task SippRegister_AnswersTheChallenge_IsBound(string transport, string protocol)
    {
        var (endpoint, port) = await StartAsync();
        await using (endpoint)
        {
            AssertPassed(await RunAsync(port, transport, "uac-register-auth.xml"));
            var binding = Assert.Single(endpoint.Registrar!.Lookup("alice"));
            Assert.Equal(protocol, binding.Transport);
        }
    }

    [Fact]
    public async Task SippRegister_DigestUriForAnotherResource_Gets400AndNoBinding()
    {
        var (endpoint, port) = await StartAsync();
        await using (endpoint)
        {
            AssertPassed(await RunAsync(port, "u1", "uac-register-auth-bad-uri.xml", "-auth_uri", "elsewhere.example.com"));
            Assert.Empty(endpoint.Registrar!.Lookup("alice"));
        }
    }
}
