using System.Globalization;
using System.Net;
using System.Text;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;

namespace OpenSma.Sip.Tests.Interop;

/// <summary>Our UAC calling sipp as the callee: its built-in uas (answers, then waits for our BYE), and scenarios of ours.</summary>
[Collection("sipp")]
public sealed class SippUacTests
{
    [Theory]
    [InlineData("u1", "udp")]
    [InlineData("t1", "tcp")]
    public async Task Invite_SippUas_AnswersAndTakesOurBye(string sippTransport, string uriTransport)
    {
        var ourPort = SippProcess.FreePort();
        var sippPort = SippProcess.FreePort();
        var loopback = new IPEndPoint(IPAddress.Loopback, ourPort);
        await using var endpoint = new SipEndpoint(new SipEndpointOptions { UdpEndPoints = [loopback], TcpEndPoints = [loopback] });
        await endpoint.StartAsync();

        var sipp = SippProcess.RunAsync(
            ["-sn", "uas", "-i", "127.0.0.1", "-p", sippPort.ToString(CultureInfo.InvariantCulture), "-t", sippTransport,
                "-m", "1", "-timeout", "60s", "-timeout_error", "-nostdin", "-trace_err"],
            TimeSpan.FromSeconds(90));

        await WaitUntilBoundAsync(sippPort, sippTransport);

        var result = await InviteSippAsync(endpoint, sippPort, uriTransport);

        Assert.True(result.IsAnswered, $"final {result.FinalResponse.StatusCode}");
        await result.Dialog!.HangUpAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var outcome = await sipp;
        Assert.True(outcome.ExitCode == 0, $"sipp exit {outcome.ExitCode}\n{outcome.Errors}\n{outcome.Output[^Math.Min(2000, outcome.Output.Length)..]}");
    }

    /// <summary>
    /// sipp rings (180 with a To-tag), then sends INFO in the early dialog: a dtmf-relay digit it
    /// expects 200 for, and an unknown Info Package it expects 469 for (RFC 6086); then answers.
    /// The digit comes out of our confirmed dialog's events before the confirmation.
    /// </summary>
    [Theory]
    [InlineData("u1", "udp")]
    [InlineData("t1", "tcp")]
    public async Task Invite_SippSendsInfoInTheEarlyDialog_DigitReachesTheDialog(string sippTransport, string uriTransport)
    {
        var ourPort = SippProcess.FreePort();
        var sippPort = SippProcess.FreePort();
        var loopback = new IPEndPoint(IPAddress.Loopback, ourPort);
        await using var endpoint = new SipEndpoint(new SipEndpointOptions { UdpEndPoints = [loopback], TcpEndPoints = [loopback] });
        await endpoint.StartAsync();

        var scenario = Path.Combine(AppContext.BaseDirectory, "Interop", "Scenarios", "uas-early-info.xml");
        var sipp = SippProcess.RunAsync(
            ["-sf", scenario, "-i", "127.0.0.1", "-p", sippPort.ToString(CultureInfo.InvariantCulture), "-t", sippTransport,
                "-m", "1", "-timeout", "60s", "-timeout_error", "-nostdin", "-trace_err"],
            TimeSpan.FromSeconds(90));
        await WaitUntilBoundAsync(sippPort, sippTransport);

        var result = await InviteSippAsync(endpoint, sippPort, uriTransport);

        Assert.True(result.IsAnswered, $"final {result.FinalResponse.StatusCode}");
        var dialog = result.Dialog!;
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Equal(new SipDtmfReceived('5', 160), await dialog.Events.ReadAsync(limit.Token));
        Assert.IsType<SipDialogConfirmed>(await dialog.Events.ReadAsync(limit.Token));
        await dialog.HangUpAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var outcome = await sipp;
        Assert.True(outcome.ExitCode == 0, $"sipp exit {outcome.ExitCode}\n{outcome.Errors}\n{outcome.Output[^Math.Min(2000, outcome.Output.Length)..]}");
    }

    // Wait (bounded) until sipp has bound its port, so the first INVITE finds it.
    private static async Task WaitUntilBoundAsync(int sippPort, string sippTransport)
    {
        for (var waited = 0; waited < 80 && !SippProcess.IsBound(sippPort, sippTransport == "t1"); waited++)
        {
            await Task.Delay(250);
        }
    }

    private static Task<SipInviteResult> InviteSippAsync(SipEndpoint endpoint, int sippPort, string uriTransport) =>
        endpoint.InviteAsync(new SipInviteOptions
        {
            Target = SipUri.Parse($"sip:service@127.0.0.1:{sippPort};transport={uriTransport}"),
            From = SipNameAddress.Parse("<sip:+15551230000@127.0.0.1>"),
            Body = Encoding.ASCII.GetBytes("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40002 RTP/AVP 0\r\n"),
            ContentType = "application/sdp",
        }).WaitAsync(TimeSpan.FromSeconds(60));
}
