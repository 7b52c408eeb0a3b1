using System.Net;
using OpenSma.Sip.Dialogs;
using OpenSma.Testing;

namespace OpenSma.Sip.Tests.Interop;

/// <summary>
/// linphonec 5.1 (apt linphone-cli) calls our UAS on loopback with SIP INFO DTMF (use_info=1):
/// we answer, receive its digits as <see cref="SipDtmfReceived"/>, and it hangs up. Each step
/// waits for the previous one on our side, not for a fixed delay.
/// </summary>
[Collection("sipp")]
public sealed class LinphoneInteropTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("sip-linphone-");

    public void Dispose() => _work.Delete(recursive: true);

    private PeerProcess StartLinphonec()
    {
        var home = Path.Combine(_work.FullName, "home");
        var rtp = 37000 + (20 * Random.Shared.Next(50));
        var rc = LinphoneConfig.Write(home, FreePorts.UdpAndTcp(), (rtp, rtp + 19), "+15559870000", sipInfoDigits: true);
        return PeerProcess.Start("linphonec", ["-c", rc], new Dictionary<string, string> { ["HOME"] = home });
    }

    private static async Task<SipDialogEvent> NextEventAsync(SipDialog dialog, PeerProcess peer, string what)
    {
        using var cts = new CancellationTokenSource(Limit);
        try
        {
            return await dialog.Events.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no {what} within {Limit.TotalSeconds} s; linphonec said:\n{peer.Tail()}");
        }
    }

    [Theory]
    [InlineData("udp")]
    [InlineData("tcp")]
    public async Task Linphonec_CallsUs_InfoDtmfReachesDialogThenItHangsUp(string transport)
    {
        using var rtp = PeerMedia.BindRtpPort();
        var port = SippProcess.FreePort();
        var loopback = new IPEndPoint(IPAddress.Loopback, port);
        await using var endpoint = new SipEndpoint(new SipEndpointOptions { UdpEndPoints = [loopback], TcpEndPoints = [loopback] });
        var incoming = new TaskCompletionSource<SipDialog>(TaskCreationOptions.RunContinuationsAsynchronously);
        endpoint.IncomingCall = dialog =>
        {
            dialog.Ring();
            _ = dialog.AnswerAsync(PeerMedia.Sdp(rtp), "application/sdp");
            incoming.TrySetResult(dialog);
        };
        await endpoint.StartAsync();

        await using var linphone = StartLinphonec();
        // Its prompt has no newline; this start-up line comes just before it, and stdin waits anyway.
        await linphone.WaitForAsync("video is disabled in linphonec", Limit);
        await linphone.WriteLineAsync("soundcard use files");
        await linphone.WaitForAsync("Using wav files", Limit);
        var suffix = transport == "tcp" ? ";transport=tcp" : string.Empty;
        await linphone.WriteLineAsync($"call sip:+15551230000@127.0.0.1:{port}{suffix}");

        SipDialog dialog;
        try
        {
            dialog = await incoming.Task.WaitAsync(Limit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException("no INVITE from linphonec:\n" + linphone.Tail());
        }

        Assert.Equal(transport.ToUpperInvariant(), dialog.InitialInvite.TopVia!.Transport);
        Assert.IsType<SipDialogConfirmed>(await NextEventAsync(dialog, linphone, "ACK"));
        await linphone.WaitForAsync("connected", Limit);

        foreach (var digit in "1#")
        {
            await linphone.WriteLineAsync(digit.ToString());
            var received = Assert.IsType<SipDtmfReceived>(await NextEventAsync(dialog, linphone, $"INFO for {digit}"));
            Assert.Equal(digit, received.Digit);
            Assert.True(received.DurationMs > 0);
        }

        await linphone.WriteLineAsync("terminate");
        var ended = Assert.IsType<SipDialogTerminated>(await NextEventAsync(dialog, linphone, "BYE"));
        Assert.Equal(SipEndReason.RemoteHangUp, ended.Reason);
        await linphone.WriteLineAsync("quit");
    }
}
