using System.Net;
using OpenSma.Engine.Virtual;
using OpenSma.Media.Audio;
using OpenSma.Media.Clock;
using OpenSma.Media.Dtmf;
using OpenSma.Media.Rtp;
using OpenSma.Sip;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;
using OpenSma.Telephony.Phone;

namespace OpenSma.Telephony.Tests.Phone;

/// <summary>
/// Two scripted phones, each on its own SIP endpoint over UDP loopback with real RTP (ports
/// 36000-36999), call each other. Real time, generous limits, no timing assertions.
/// </summary>
public sealed class SipPhoneTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);
    private readonly SipEndpoint _callerSip = Loopback();
    private readonly SipEndpoint _calleeSip = Loopback();
    private readonly RtpPortAllocator _ports = new(36000, 36999);
    private readonly MediaClock _clock = new(TimeProvider.System);

    public async Task InitializeAsync()
    {
        await _callerSip.StartAsync();
        await _calleeSip.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _callerSip.DisposeAsync();
        await _calleeSip.DisposeAsync();
        _clock.Dispose();
    }

    [Fact]
    public async Task DialAsync_CalleeSpeaksAndCallerPressesRfc4733Digits_BothReportsShowTheCall()
    {
        var beep = ToneGenerator.Beep(TimeSpan.FromSeconds(1));
        var callee = AnswerNext(new VirtualParty { RingFor = TimeSpan.FromMilliseconds(300), Cues = [new SayCue(TimeSpan.FromMilliseconds(300), beep)] });
        var caller = Phone(_callerSip).DialAsync(
            Callee("+15551230000"), From(), VirtualParty.Answering(
                new DigitCue(TimeSpan.FromSeconds(1.5), '1'), new DigitCue(TimeSpan.FromSeconds(2), '2'),
                new DigitCue(TimeSpan.FromSeconds(2.5), '#'), new HangupCue(TimeSpan.FromSeconds(4))));

        var callerReport = await caller.WaitAsync(Limit);
        var calleeReport = await callee.WaitAsync(Limit);

        Assert.Null(callerReport.Error);
        Assert.True(callerReport.Rang);
        Assert.True(callerReport.Answered);
        Assert.Equal("12#", callerReport.DigitsSent);
        Assert.Equal(SipEndReason.LocalHangUp, callerReport.End?.Reason);
        var loud = LoudFrames(callerReport.Heard);
        Assert.InRange(loud, 25, 75);   // the 1 s beep is 50 frames
        Assert.True(callerReport.Media!.PacketsReceived > 50);

        Assert.Null(calleeReport.Error);
        Assert.True(calleeReport.Answered);
        Assert.Equal("12#", calleeReport.DigitsReceived);
        Assert.All(calleeReport.Events.OfType<PhoneDigitReceived>(), d => Assert.Equal(DtmfSource.Rfc4733, d.Source));
        Assert.Equal(SipEndReason.RemoteHangUp, calleeReport.End?.Reason);
        Assert.Equal(_ports.Capacity, _ports.Available);
    }

    [Fact]
    public async Task DialAsync_SipInfoDigits_ArriveAsSipInfo()
    {
        var callee = AnswerNext(new VirtualParty { RingFor = TimeSpan.Zero });
        var caller = Phone(_callerSip, new SipPhoneOptions { DigitMethod = PhoneDigitMethod.SipInfo }).DialAsync(
            Callee("+15551230000"), From(), VirtualParty.Answering(
                new DigitCue(TimeSpan.FromSeconds(0.5), '5'), new DigitCue(TimeSpan.FromSeconds(1), '9'), new HangupCue(TimeSpan.FromSeconds(2))));

        var callerReport = await caller.WaitAsync(Limit);
        var calleeReport = await callee.WaitAsync(Limit);

        Assert.Equal("59", callerReport.DigitsSent);
        Assert.All(callerReport.Events.OfType<PhoneDigitSent>(), d => Assert.Equal(PhoneDigitMethod.SipInfo, d.Method));
        Assert.Equal("59", calleeReport.DigitsReceived);
        Assert.All(calleeReport.Events.OfType<PhoneDigitReceived>(), d => Assert.Equal(DtmfSource.SipInfo, d.Source));
    }

    [Fact]
    public async Task DialAsync_BusyCallee_Reports486WithoutMedia()
    {
        var callee = AnswerNext(new VirtualParty { Answer = VirtualAnswer.Busy, RingFor = TimeSpan.FromMilliseconds(200) });
        var callerReport = await Phone(_callerSip).DialAsync(Callee("+15551230000"), From(), VirtualParty.Answering()).WaitAsync(Limit);
        var calleeReport = await callee.WaitAsync(Limit);

        Assert.True(callerReport.Rang);
        Assert.False(callerReport.Answered);
        Assert.Equal(486, callerReport.FailureCode);
        Assert.Equal(SipEndReason.Rejected, calleeReport.End?.Reason);
        Assert.Equal(486, calleeReport.End?.StatusCode);
        Assert.Equal(_ports.Capacity, _ports.Available);
    }

    [Fact]
    public async Task DialAsync_NobodyAnswersWithinRingTimeout_CancelsTheCall()
    {
        var callee = AnswerNext(new VirtualParty { Answer = VirtualAnswer.NoAnswer });
        var caller = Phone(_callerSip, new SipPhoneOptions { RingTimeout = TimeSpan.FromSeconds(1) });
        var callerReport = await caller.DialAsync(Callee("+15551230000"), From(), VirtualParty.Answering()).WaitAsync(Limit);
        var calleeReport = await callee.WaitAsync(Limit);

        Assert.True(callerReport.Rang);
        Assert.Equal(487, callerReport.FailureCode);
        Assert.False(calleeReport.Answered);
        Assert.Equal(SipEndReason.Cancelled, calleeReport.End?.Reason);
    }

    [Fact]
    public async Task AnswerAsync_CalleeHangsUpByScript_CallerSeesRemoteHangUp()
    {
        var callee = AnswerNext(new VirtualParty { RingFor = TimeSpan.Zero, Cues = [new HangupCue(TimeSpan.FromSeconds(1))] });
        var callerReport = await Phone(_callerSip).DialAsync(Callee("+15551230000"), From(), VirtualParty.Answering()).WaitAsync(Limit);
        var calleeReport = await callee.WaitAsync(Limit);

        Assert.True(callerReport.Answered);
        Assert.Equal(SipEndReason.RemoteHangUp, callerReport.End?.Reason);
        Assert.Equal(SipEndReason.LocalHangUp, calleeReport.End?.Reason);
        Assert.Contains(calleeReport.Events, e => e is PhoneHangingUp { Why: "script" });
    }

    [Fact]
    public async Task DialAsync_Observer_SeesEventsInReportOrder()
    {
        var seen = new List<SipPhoneEvent>();
        var callee = AnswerNext(new VirtualParty { RingFor = TimeSpan.FromMilliseconds(100) });
        var phone = Phone(_callerSip, new SipPhoneOptions { OnEvent = e => { lock (seen) { seen.Add(e); } } });
        var report = await phone.DialAsync(Callee("+15551230000"), From(), VirtualParty.Answering(new HangupCue(TimeSpan.FromMilliseconds(500)))).WaitAsync(Limit);
        await callee.WaitAsync(Limit);

        Assert.Equal(report.Events, seen);
        Assert.IsType<PhoneRinging>(report.Events[0]);
        Assert.IsType<PhoneAnswered>(report.Events[1]);
        Assert.IsType<PhoneEnded>(report.Events[^1]);
    }

    private static SipEndpoint Loopback() =>
        new(new SipEndpointOptions { UdpEndPoints = [new IPEndPoint(IPAddress.Loopback, 0)], TcpEndPoints = [] });

    private static SipNameAddress From() => new(SipUri.Sip("+15559870000", "127.0.0.1"));

    private static int LoudFrames(PcmAudio audio)
    {
        var samples = audio.Samples.Span;
        var loud = 0;
        for (var i = 0; i + PcmAudio.SamplesPerFrame <= samples.Length; i += PcmAudio.SamplesPerFrame)
        {
            double sum = 0;
            foreach (var s in samples.Slice(i, PcmAudio.SamplesPerFrame))
            {
                sum += (double)s * s;
            }

            if (Math.Sqrt(sum / PcmAudio.SamplesPerFrame) > 1000)
            {
                loud++;
            }
        }

        return loud;
    }

    private SipPhone Phone(SipEndpoint sip, SipPhoneOptions? options = null) => new(sip, _ports, _clock, TimeProvider.System, options);

    private SipUri Callee(string number) => SipUri.Sip(number, "127.0.0.1", _calleeSip.Transports[0].LocalEndPoint.Port);

    private Task<SipPhoneReport> AnswerNext(VirtualParty script)
    {
        var next = new TaskCompletionSource<Task<SipPhoneReport>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var phone = Phone(_calleeSip);
        _calleeSip.IncomingCall = dialog => next.TrySetResult(phone.AnswerAsync(dialog, script));
        return next.Task.Unwrap();
    }
}
