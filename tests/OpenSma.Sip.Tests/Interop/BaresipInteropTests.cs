using System.Net;
using System.Net.Sockets;
using System.Text;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;
using OpenSma.Testing;

namespace OpenSma.Sip.Tests.Interop;

/// <summary>
/// baresip 1.0 (apt baresip-core) and our stack at the SIP level, on loopback over UDP and TCP:
/// baresip calls our UAS, and our UAC calls baresip (INFO DTMF, which baresip receives, then BYE).
/// </summary>
[Collection("sipp")]
public sealed class BaresipInteropTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("sip-baresip-");

    public void Dispose() => _work.Delete(recursive: true);

    private PeerProcess StartBaresip(string account, out int sipPort, out int consolePort)
    {
        var config = Path.Combine(_work.FullName, "b");
        var wav = Path.Combine(_work.FullName, "silence.wav");
        PeerMedia.WriteSilentWav(wav);
        sipPort = FreePorts.BaresipSip();
        consolePort = FreePorts.UdpAndTcp();
        var rtp = 37000 + (20 * Random.Shared.Next(50));
        BaresipConfig.Write(config, sipPort, consolePort, (rtp, rtp + 19), wav, [account]);

        // -t is a safety net only; the process is killed when the test ends.
        return PeerProcess.Start("baresip", ["-f", config, "-t", "170"]);
    }

    private static async Task ConsoleAsync(int consolePort, string command)
    {
        using var udp = new UdpClient();
        var bytes = Encoding.ASCII.GetBytes(command + "\n");
        await udp.SendAsync(bytes, bytes.Length, new IPEndPoint(IPAddress.Loopback, consolePort));
    }

    private static async Task<T> Within<T>(Task<T> task, PeerProcess peer, string what)
    {
        try
        {
            return await task.WaitAsync(Limit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no {what} within {Limit.TotalSeconds} s; baresip said:\n{peer.Tail()}");
        }
    }

    [Theory]
    [InlineData("udp")]
    [InlineData("tcp")]
    public async Task Baresip_CallsOurUas_AnsweredThenWeHangUp(string transport)
    {
        var port = SippProcess.FreePort();
        var loopback = new IPEndPoint(IPAddress.Loopback, port);
        using var rtp = PeerMedia.BindRtpPort();
        await using var endpoint = new SipEndpoint(new SipEndpointOptions { UdpEndPoints = [loopback], TcpEndPoints = [loopback] });
        var incoming = new TaskCompletionSource<SipDialog>(TaskCreationOptions.RunContinuationsAsynchronously);
        endpoint.IncomingCall = dialog =>
        {
            dialog.Ring();
            incoming.TrySetResult(dialog);
        };
        await endpoint.StartAsync();

        await using var baresip = StartBaresip("<sip:+15559870000@127.0.0.1>;regint=0;audio_codecs=PCMU", out _, out var console);
        await baresip.WaitForAsync("baresip is ready", Limit);
        var suffix = transport == "tcp" ? ";transport=tcp" : string.Empty;
        await ConsoleAsync(console, $"/dial sip:+15551230000@127.0.0.1:{port}{suffix}");

        var dialog = await Within(incoming.Task, baresip, "INVITE");
        Assert.Equal("+15559870000", dialog.RemoteParty.Uri.User);
        Assert.Contains("m=audio", Encoding.ASCII.GetString(dialog.InitialInvite.Body.Span), StringComparison.Ordinal);
        Assert.Equal(transport.ToUpperInvariant(), dialog.InitialInvite.TopVia!.Transport);
        Assert.True(await Within(dialog.AnswerAsync(PeerMedia.Sdp(rtp), "application/sdp"), baresip, "ACK"));
        await baresip.WaitForAsync("Call established", Limit);

        await Within(dialog.HangUpAsync().ContinueWith(_ => true, TaskScheduler.Default), baresip, "BYE answer");
        await baresip.WaitForAsync("session closed: Connection reset by peer", Limit);
        var events = new List<SipDialogEvent>();
        await foreach (var e in dialog.Events.ReadAllAsync().WithCancellation(new CancellationTokenSource(Limit).Token))
        {
            events.Add(e);
        }

        Assert.IsType<SipDialogConfirmed>(events[0]);
        Assert.Equal(SipEndReason.LocalHangUp, Assert.IsType<SipDialogTerminated>(events[^1]).Reason);
    }

    [Theory]
    [InlineData("udp")]
    [InlineData("tcp")]
    public async Task OurUac_CallsBaresip_InfoDtmfReceivedThenBye(string transport)
    {
        using var rtp = PeerMedia.BindRtpPort();
        var port = SippProcess.FreePort();
        var loopback = new IPEndPoint(IPAddress.Loopback, port);
        await using var endpoint = new SipEndpoint(new SipEndpointOptions { UdpEndPoints = [loopback], TcpEndPoints = [loopback] });
        await endpoint.StartAsync();

        await using var baresip = StartBaresip("<sip:+15551230000@127.0.0.1>;regint=0;answermode=auto;audio_codecs=PCMU", out var sipPort, out _);
        await baresip.WaitForAsync("baresip is ready", Limit);
        var suffix = transport == "tcp" ? ";transport=tcp" : string.Empty;
        var result = await Within(
            endpoint.InviteAsync(new SipInviteOptions
            {
                Target = SipUri.Parse($"sip:+15551230000@127.0.0.1:{sipPort}{suffix}"),
                From = SipNameAddress.Parse("<sip:+15559870000@127.0.0.1>"),
                Body = PeerMedia.Sdp(rtp),
                ContentType = "application/sdp",
            }),
            baresip,
            "answer");
        Assert.True(result.IsAnswered, $"final {result.FinalResponse.StatusCode}\n{baresip.Tail()}");
        Assert.Contains("m=audio", Encoding.ASCII.GetString(result.AnswerBody.Span), StringComparison.Ordinal);
        var dialog = result.Dialog!;

        var info = await Within(dialog.SendRequestAsync("INFO", Encoding.ASCII.GetBytes("Signal=5\r\nDuration=160\r\n"), "application/dtmf-relay"), baresip, "INFO answer");
        Assert.Equal(200, info.StatusCode);
        await baresip.WaitForAsync("received DTMF: '5'", Limit);

        await Within(dialog.HangUpAsync().ContinueWith(_ => true, TaskScheduler.Default), baresip, "BYE answer");
        await baresip.WaitForAsync("session closed: Connection reset by peer", Limit);
        Assert.Equal(SipDialogState.Terminated, dialog.State);
    }
}
