using System.Collections.Concurrent;
using System.Net;
using System.Text;
using OpenSma.Media.Audio;
using OpenSma.Media.Playback;
using OpenSma.Media.Sdp;
using OpenSma.Sip;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;
using OpenSma.Telephony.Legs;

namespace OpenSma.Telephony.Tests.Support;

public enum PhoneAnswer
{
    Answer,
    Busy,
    Decline,
    NeverAnswer,
}

/// <summary>
/// A far-end phone for the tests: its own SIP endpoint on loopback and media from the media plane.
/// It calls OpenSMA, or takes OpenSMA's calls (answer, busy, decline, or ring forever).
/// </summary>
internal sealed class TestPhone : IAsyncDisposable
{
    private TestPhone(SipEndpoint sip, MediaPlane media)
    {
        Sip = sip;
        Media = media;
    }

    public SipEndpoint Sip { get; }

    public MediaPlane Media { get; }

    public IPEndPoint Address => Sip.Transports[0].LocalEndPoint;

    public PhoneAnswer AnswerWith { get; set; } = PhoneAnswer.Answer;

    /// <summary>Calls this phone received (answered or not).</summary>
    public ConcurrentQueue<PhoneCall> Incoming { get; } = new();

    /// <summary>Codecs this phone offers and accepts (PCMU then PCMA by default).</summary>
    public MediaCapabilities Capabilities { get; init; } = MediaCapabilities.Default;

    public static async Task<TestPhone> StartAsync(MediaCapabilities? capabilities = null)
    {
        var sip = new SipEndpoint(new SipEndpointOptions { UdpEndPoints = [new IPEndPoint(IPAddress.Loopback, 0)], TcpEndPoints = [] });
        var (min, max) = Rig.NextPorts();
        var media = new MediaPlane(new TelephonyOptions { RtpPortMin = min, RtpPortMax = max, RtpBindAddress = "127.0.0.1", AdvertisedAddress = "127.0.0.1" }, TimeProvider.System)
        {
            Capabilities = capabilities ?? MediaCapabilities.Default,
        };
        var phone = new TestPhone(sip, media) { Capabilities = media.Capabilities };
        sip.IncomingCall = dialog => _ = Task.Run(() => phone.OnIncomingAsync(dialog));
        await sip.StartAsync();
        return phone;
    }

    /// <summary>Calls <paramref name="number"/> at OpenSMA's SIP address; returns once answered or refused.</summary>
    public async Task<PhoneCall> CallAsync(IPEndPoint server, string number, IEnumerable<SipHeader>? headers = null, string from = "+15557654321", string? sdpOffer = null)
    {
        var media = Media.TryOpenLeg()!;
        var call = new PhoneCall(media);
        var target = SipUri.Sip(number, server.Address.ToString(), server.Port);
        var offer = sdpOffer ?? media.CreateOffer().ToString();
        var result = await Sip.InviteAsync(new SipInviteOptions
        {
            Target = target,
            From = new SipNameAddress(SipUri.Sip(from, "127.0.0.1")),
            Body = Encoding.UTF8.GetBytes(offer),
            ContentType = "application/sdp",
            Headers = [.. headers ?? []],
            OnProvisional = r => call.Provisionals.Enqueue(r.StatusCode),
        }).WaitAsync(Rig.Patience);
        call.OnResult(result);
        return call;
    }

    private async Task OnIncomingAsync(SipDialog dialog)
    {
        var media = Media.TryOpenLeg()!;
        var call = new PhoneCall(media) { Dialog = dialog };
        Incoming.Enqueue(call);
        switch (AnswerWith)
        {
            case PhoneAnswer.Busy:
                dialog.Reject(486);
                media.Dispose();
                return;
            case PhoneAnswer.Decline:
                dialog.Reject(603);
                media.Dispose();
                return;
        }

        dialog.Ring(180);
        if (AnswerWith == PhoneAnswer.NeverAnswer)
        {
            call.Watch(dialog);
            return;
        }

        var offer = SdpParser.Parse(Encoding.UTF8.GetString(dialog.InitialInvite.Body.Span)).Description!;
        var answer = media.Answer(offer);
        media.StartSending();
        call.Watch(dialog);
        await dialog.AnswerAsync(Encoding.UTF8.GetBytes(answer.Answer!.ToString()), "application/sdp");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var call in Incoming)
        {
            call.Dispose();
        }

        await Sip.StopAsync();
        Media.Dispose();
    }
}

/// <summary>One call as the test phone sees it: what it heard, the digits it got, and how it ended.</summary>
internal sealed class PhoneCall : IDisposable
{
    private readonly List<short> _heard = [];
    private readonly TaskCompletionSource<SipDialogTerminated> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PhoneCall(LegMedia media)
    {
        Media = media;
        media.Session.AddInboundSink(new HeardSink(this));
    }

    internal LegMedia Media { get; }

    public SipDialog? Dialog { get; set; }

    public int FinalStatus { get; private set; }

    public ConcurrentQueue<int> Provisionals { get; } = new();

    public Task<SipDialogTerminated> Ended => _ended.Task;

    public void OnResult(SipInviteResult result)
    {
        FinalStatus = result.FinalResponse.StatusCode;
        if (result.Dialog is not { } dialog)
        {
            Media.Dispose();
            return;
        }

        Dialog = dialog;
        if (SdpParser.Parse(Encoding.UTF8.GetString(result.AnswerBody.Span)).Description is { } answer)
        {
            Media.ProcessAnswer(answer);
        }

        Media.StartSending();
        Watch(dialog);
    }

    public void Watch(SipDialog dialog) => _ = WatchAsync(dialog);

    private async Task WatchAsync(SipDialog dialog)
    {
        await foreach (var e in dialog.Events.ReadAllAsync())
        {
            if (e is SipDialogTerminated t)
            {
                _ended.TrySetResult(t);
                Media.Dispose();
            }
        }
    }

    public int HeardSamples
    {
        get
        {
            lock (_heard)
            {
                return _heard.Count;
            }
        }
    }

    /// <summary>Number of 20 ms frames heard louder than -30 dBFS (a prompt, not silence).</summary>
    public int LoudFrames()
    {
        short[] copy;
        lock (_heard)
        {
            copy = [.. _heard];
        }

        var loud = 0;
        for (var start = 0; start + PcmAudio.SamplesPerFrame <= copy.Length; start += PcmAudio.SamplesPerFrame)
        {
            double sum = 0;
            for (var i = start; i < start + PcmAudio.SamplesPerFrame; i++)
            {
                sum += copy[i] * (double)copy[i];
            }

            if (Math.Sqrt(sum / PcmAudio.SamplesPerFrame) > 1000)
            {
                loud++;
            }
        }

        return loud;
    }

    public async Task WaitLoudFramesAsync(int frames)
    {
        var deadline = DateTime.UtcNow + Rig.Patience;
        while (LoudFrames() < frames)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"heard {LoudFrames()} loud frames of {frames}");
            }

            await Task.Delay(20);
        }
    }

    public Task<PlaybackOutcome> Play(PcmAudio audio) => Media.Session.Player.Play(audio);

    public Task<bool> SendRfc4733Async(string digits) =>
        Media.Session.SendDigitsAsync(digits, TimeSpan.FromMilliseconds(120), TimeSpan.FromMilliseconds(80));

    public Task<SipResponse> SendInfoAsync(char digit) =>
        Dialog!.SendRequestAsync(SipMethods.Info, Encoding.ASCII.GetBytes($"Signal={digit}\r\nDuration=160\r\n"), "application/dtmf-relay");

    public Task HangUpAsync() => Dialog!.HangUpAsync();

    public void Dispose() => Media.Dispose();

    private sealed class HeardSink(PhoneCall call) : IAudioSink
    {
        public void OnFrame(ReadOnlySpan<short> frame)
        {
            lock (call._heard)
            {
                call._heard.AddRange(frame);
            }
        }
    }
}
