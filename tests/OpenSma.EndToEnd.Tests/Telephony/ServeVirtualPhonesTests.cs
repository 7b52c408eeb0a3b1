using System.Net;
using OpenSma.EndToEnd.Tests.Telephony.Support;
using OpenSma.Engine.Virtual;
using OpenSma.Media.Audio;
using OpenSma.Media.Clock;
using OpenSma.Media.Rtp;
using OpenSma.Sip;
using OpenSma.Sip.Dialogs;
using OpenSma.Sip.Messages;
using OpenSma.Telephony.Phone;
using Xunit.Abstractions;

namespace OpenSma.EndToEnd.Tests.Telephony;

/// <summary>
/// <c>opensma serve</c> with SIP on and a <c>VirtualPhones</c> section: a real SIP caller
/// (OpenSMA's own SIP phone, RTP on loopback) calls an SMA whose handler answers with
/// CallAndBridge. To a configured number the bridge rings the scripted virtual phone (ahead of a
/// softphone registered with the same number), and the caller hears what it says; to any other
/// number the leg goes out over SIP to a registered softphone as before. Each call ends with serve
/// holding no leg, bridge, dialog or port.
/// </summary>
public sealed class ServeVirtualPhonesTests(ServeVirtualPhonesTests.Fixture fixture, ITestOutputHelper output) : IClassFixture<ServeVirtualPhonesTests.Fixture>
{
    private const string AgentNumber = "+15551230612";
    private const double AgentHz = 1400;
    private const double SoftphoneHz = 900;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    /// <summary>A serve whose VirtualPhones section has one agent: answers after 1 s, says 2 s of 1400 Hz at 0.5 s, presses 5 at 3 s, hangs up at 5 s.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public string WorkDirectory { get; } = Directory.CreateTempSubdirectory("opensma-vphones-").FullName;

        internal ServeProcess Serve { get; private set; } = null!;

        public string AgentScript { get; private set; } = "";

        public async Task InitializeAsync()
        {
            var wav = Signal.WriteWav(Path.Combine(WorkDirectory, "agent.wav"), Signal.Tone(TimeSpan.FromSeconds(2), AgentHz));
            AgentScript = $"answer@1s;say={wav}@0.5s;digits=5@3s;hangup=5s";
            Serve = await ServeProcess.StartAsync(WorkDirectory, new Dictionary<string, object>
            {
                ["VirtualPhones"] = new Dictionary<string, string> { [AgentNumber] = AgentScript },
            });
        }

        public async Task DisposeAsync()
        {
            await Serve.DisposeAsync();
            try
            {
                Directory.Delete(WorkDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    [Fact]
    public async Task SipCaller_CallAndBridgeToAVirtualPhone_HearsItsSay_VirtualPhoneHangsUp_AndASoftphoneWithTheNumberIsNotRung()
    {
        const string smaNumber = "+15551230611";
        var serve = fixture.Serve;
        using var handler = BridgingHandler(AgentNumber);
        await serve.CreateSmaWithRuleAsync(handler.Url, smaNumber);
        var before = await serve.MetricsAsync();

        // A softphone registered with the agent's number: the virtual phone must take the call first.
        await using var decoy = await LoopbackPhone.StartAsync();
        var decoyRang = 0;
        decoy.Sip.IncomingCall = _ => Interlocked.Increment(ref decoyRang);
        Assert.True((await decoy.RegisterAsync(AgentNumber, serve.SipPort)).IsRegistered);

        await using var caller = await LoopbackPhone.StartAsync();
        var report = await caller.Phone.DialAsync(
            SipUri.Sip(smaNumber, "127.0.0.1", serve.SipPort), new SipNameAddress(SipUri.Sip("+15559870000", "127.0.0.1")), VirtualParty.Answering())
            .WaitAsync(Patience * 2);
        await handler.WaitForAsync(events => events.Any(e => HandlerServer.Type(e) == "HANGUP"), Patience, "HANGUP");
        output.WriteLine(string.Join('\n', handler.Ladder));
        await serve.AssertMediaReleasedAsync(Patience);
        var after = await serve.MetricsAsync();

        Assert.Null(report.Error);
        Assert.True(report.Answered);
        Assert.Equal(SipEndReason.RemoteHangUp, report.End?.Reason);
        Assert.Equal(["NEW_INBOUND_CALL", "ACTION_SUCCESSFUL:CallAndBridge", "HANGUP"], handler.Ladder.Take(3));
        Assert.Equal("LEG-B", ParticipantTag(handler.Events[2]));
        // The agent's 2 s say crossed the bridge and RTP: about 100 frames of 1400 Hz; its 5 was relayed as RFC 4733.
        var agentFrames = Signal.ToneFrames(report.Heard, AgentHz);
        output.WriteLine($"the caller heard {agentFrames} frames of the virtual phone; digits {report.DigitsReceived}");
        Assert.InRange(agentFrames, 70, 115);
        Assert.Equal("5", report.DigitsReceived);
        Assert.Equal(0, decoyRang);
        Assert.Equal(1, after["opensma_virtual_phone_legs_total"] - before["opensma_virtual_phone_legs_total"]);
        Assert.Equal(0, after["opensma_virtual_legs"]);
        // The caller's leg received the softphone's RTP for the whole call; its stream is counted once it ended.
        Assert.Equal(1, after["opensma_rtp_received_streams_total"] - before["opensma_rtp_received_streams_total"]);
        Assert.True(after["opensma_rtp_received_packets_total"] - before["opensma_rtp_received_packets_total"] >= 50);
        Assert.Contains($"to {AgentNumber} rings a virtual phone (VirtualPhones: {fixture.AgentScript})", serve.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SipCaller_CallAndBridgeToAnotherNumber_StillGoesOutOverSipToTheRegisteredSoftphone()
    {
        const string smaNumber = "+15551230613";
        const string softphoneNumber = "+15551230614";
        var serve = fixture.Serve;
        using var handler = BridgingHandler(softphoneNumber);
        await serve.CreateSmaWithRuleAsync(handler.Url, smaNumber);
        var before = await serve.MetricsAsync();

        await using var softphone = await LoopbackPhone.StartAsync();
        var answered = new TaskCompletionSource<SipPhoneReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        var script = new VirtualParty
        {
            RingFor = TimeSpan.Zero,
            Cues = [new SayCue(TimeSpan.FromSeconds(0.5), Signal.Tone(TimeSpan.FromSeconds(2), SoftphoneHz)), new HangupCue(TimeSpan.FromSeconds(4))],
        };
        softphone.Sip.IncomingCall = dialog => _ = Task.Run(async () => answered.TrySetResult(await softphone.Phone.AnswerAsync(dialog, script)));
        Assert.True((await softphone.RegisterAsync(softphoneNumber, serve.SipPort)).IsRegistered);

        await using var caller = await LoopbackPhone.StartAsync();
        var report = await caller.Phone.DialAsync(
            SipUri.Sip(smaNumber, "127.0.0.1", serve.SipPort), new SipNameAddress(SipUri.Sip("+15559870000", "127.0.0.1")), VirtualParty.Answering())
            .WaitAsync(Patience * 2);
        var calleeReport = await answered.Task.WaitAsync(Patience);
        await handler.WaitForAsync(events => events.Any(e => HandlerServer.Type(e) == "HANGUP"), Patience, "HANGUP");
        output.WriteLine(string.Join('\n', handler.Ladder));
        await serve.AssertMediaReleasedAsync(Patience);
        var after = await serve.MetricsAsync();

        Assert.True(report.Answered);
        Assert.True(calleeReport.Answered);
        Assert.Equal(["NEW_INBOUND_CALL", "ACTION_SUCCESSFUL:CallAndBridge", "HANGUP"], handler.Ladder.Take(3));
        Assert.Equal("LEG-B", ParticipantTag(handler.Events[2]));
        var softphoneFrames = Signal.ToneFrames(report.Heard, SoftphoneHz);
        output.WriteLine($"the caller heard {softphoneFrames} frames of the softphone");
        Assert.InRange(softphoneFrames, 70, 115);
        Assert.Equal(0, after["opensma_virtual_phone_legs_total"] - before["opensma_virtual_phone_legs_total"]);
        Assert.DoesNotContain($"to {softphoneNumber} rings a virtual phone", serve.Output, StringComparison.Ordinal);
    }

    /// <summary>NEW_INBOUND_CALL bridges to <paramref name="target"/>; LEG-B's HANGUP ends LEG-A (one leg's end does not end the other).</summary>
    private static HandlerServer BridgingHandler(string target) => new(e => HandlerServer.Type(e) switch
    {
        "NEW_INBOUND_CALL" => HandlerServer.Actions(
            $$$"""{"Type":"CallAndBridge","Parameters":{"CallTimeoutSeconds":30,"CallerIdNumber":"+15559870000","Endpoints":[{"BridgeEndpointType":"PSTN","Uri":"{{{target}}}"}]}}"""),
        "HANGUP" when ParticipantTag(e) == "LEG-B" => HandlerServer.Actions(TelephonyFixture.Hangup("LEG-A")),
        "ACTION_FAILED" => HandlerServer.Actions(TelephonyFixture.Hangup()),
        _ => null,
    });

    private static string? ParticipantTag(System.Text.Json.JsonElement e) =>
        e.TryGetProperty("ActionData", out var data) && data.TryGetProperty("Parameters", out var parameters) && parameters.TryGetProperty("ParticipantTag", out var tag)
            ? tag.GetString()
            : null;

    /// <summary>OpenSMA's own SIP phone on a loopback UDP port with its own RTP block; unregisters and stops on dispose.</summary>
    private sealed class LoopbackPhone : IAsyncDisposable
    {
        private readonly MediaClock _clock;

        private LoopbackPhone(SipEndpoint sip, MediaClock clock, SipPhone phone)
        {
            Sip = sip;
            _clock = clock;
            Phone = phone;
        }

        public SipEndpoint Sip { get; }

        public SipPhone Phone { get; }

        public static async Task<LoopbackPhone> StartAsync()
        {
            var sip = SipPhone.CreateEndpoint(new IPEndPoint(IPAddress.Loopback, 0));
            await sip.StartAsync();
            var clock = new MediaClock(TimeProvider.System);
            var block = FreePorts.RtpBlock();
            return new LoopbackPhone(sip, clock, new SipPhone(sip, new RtpPortAllocator(block, block + 19), clock, TimeProvider.System, new SipPhoneOptions { MaxDuration = Patience }));
        }

        public Task<SipPhoneRegistration> RegisterAsync(string number, int registrarPort) =>
            Phone.RegisterAsync(new SipPhoneRegistrationOptions { Registrar = SipUri.Sip(null, "127.0.0.1", registrarPort), User = number });

        public async ValueTask DisposeAsync()
        {
            await Phone.DisposeAsync();
            await Sip.DisposeAsync();
            _clock.Dispose();
        }
    }
}
