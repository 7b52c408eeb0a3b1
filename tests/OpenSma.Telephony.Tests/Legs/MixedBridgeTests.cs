using OpenSma.Engine;
using OpenSma.Engine.Control;
using OpenSma.Engine.Invocation;
using OpenSma.Engine.Legs;
using OpenSma.Engine.Virtual;
using OpenSma.Media.Audio;
using OpenSma.Media.Codecs;
using OpenSma.Media.Dtmf;
using OpenSma.Media.Sdp;
using OpenSma.Sip.Dialogs;
using OpenSma.Storage.Resources;
using OpenSma.Telephony.Tests.Outbound;
using OpenSma.Telephony.Tests.Support;

namespace OpenSma.Telephony.Tests.Legs;

/// <summary>
/// A SIP leg bridged with a virtual leg, both ways, over loopback: the handler's CallAndBridge
/// reaches a scripted virtual phone from a SIP caller, and a virtual caller reaches a SIP phone.
/// Audio crosses between the media plane's clock and the virtual network's clock (transcoded to
/// the SIP leg's codec), digits are relayed, HANGUPs follow spec §3.6/§7.2, and nothing is left.
/// </summary>
public sealed class MixedBridgeTests
{
    private const string VirtualCallee = "+14155550123";
    private const string VcArn = "arn:aws:chime:us-east-1:111122223333:vc/vc1";

    // Away from ringback (440/480 Hz) and the DTMF pairs, so each side's tone is recognisable.
    private const double VirtualTone = 1900;
    private const double PhoneTone = 1100;

    [Fact]
    public async Task CallAndBridge_SipCallerToVirtualPhone_AudioAndDigitsBothWays_CallerHangsUp_AllReleased()
    {
        await using var rig = await MixedRig.StartAsync();
        rig.Network.Register(VirtualCallee, new VirtualParty
        {
            RingFor = TimeSpan.FromSeconds(1),
            Cues =
            [
                new SayCue(TimeSpan.FromSeconds(1), ToneGenerator.Beep(TimeSpan.FromSeconds(1), VirtualTone)),
                new DigitCue(TimeSpan.FromSeconds(2.5), '7'),
            ],
        });
        rig.Rig.Handler.Script = e => (ScriptedHandler.Type(e), (string?)e["ActionData"]?["Parameters"]?["ParticipantTag"]) switch
        {
            ("NEW_INBOUND_CALL", _) => """[{"Type":"CallAndBridge","Parameters":{"CallerIdNumber":"+15557654321","Endpoints":[{"BridgeEndpointType":"PSTN","Uri":"+14155550123"}]}}]""",
            ("HANGUP", "LEG-A") => """[{"Type":"Hangup","Parameters":{"ParticipantTag":"LEG-B"}}]""",
            _ => null,
        };
        await using var phone = await rig.Rig.NewPhoneAsync();

        var a = await phone.CallAsync(rig.Rig.SipAddress, Rig.Number);
        Assert.Equal(200, a.FinalStatus);
        var heardByPhone = new Recorder();
        using var recording = a.Media.Session.AddInboundSink(heardByPhone);
        await rig.Rig.Handler.WaitForAsync("ACTION_SUCCESSFUL");
        var b = rig.Network.Legs.Single(l => l.To == VirtualCallee);
        Assert.Same(b, rig.SipLegs().Single().Bridge!.Other(rig.SipLegs().Single()));

        // Virtual -> SIP: the scripted phone's tone (told from the ringback by its pitch) and its key press.
        await SipCallLegTests.WaitUntilAsync(() => ToneFrames(heardByPhone.Samples(), VirtualTone) >= 30);
        var relayed = await a.Media.Session.Digits.Reader.ReadAsync().AsTask().WaitAsync(Rig.Patience);
        Assert.Equal(('7', DtmfSource.Rfc4733), (relayed.Digit, relayed.Source));

        // SIP -> virtual: a tone, an RFC 4733 digit and a SIP INFO digit.
        Assert.Equal(0, ToneFrames(b.Heard().Samples.Span, PhoneTone));
        _ = a.Play(ToneGenerator.Beep(TimeSpan.FromSeconds(1), PhoneTone));
        await SipCallLegTests.WaitUntilAsync(() => ToneFrames(b.Heard().Samples.Span, PhoneTone) >= 30);
        Assert.True(await a.SendRfc4733Async("3").WaitAsync(Rig.Patience));
        await SipCallLegTests.WaitUntilAsync(() => b.DigitsHeard() == "3");
        Assert.Equal(200, (await a.SendInfoAsync('8').WaitAsync(Rig.Patience)).StatusCode);
        await SipCallLegTests.WaitUntilAsync(() => b.DigitsHeard() == "38");

        var during = rig.Rig.Telephony.Snapshot();
        Assert.Equal((1, 1, 1, 1), (during.LiveLegs, during.Bridges, during.RtpPortPairsInUse, during.ClockStreams));
        Assert.Equal(1, rig.Network.Clock.ListenerCount);

        await a.HangUpAsync().WaitAsync(Rig.Patience);
        Assert.Equal(["LEG-A", "LEG-B"], await rig.WaitForHangupsAsync(2));
        Assert.Equal(
            ["NEW_INBOUND_CALL", "ACTION_SUCCESSFUL", "HANGUP", "HANGUP"],
            rig.Rig.Handler.EventTypes);
        Assert.Equal(LegState.Ended, b.State);
        Assert.Equal(0, b.ReleasedWith);
        await rig.AssertAllReleasedAsync(b);
    }

    [Fact]
    public async Task CallAndBridge_VirtualCallerToSipPhone_AlawTranscoded_DigitsBothWays_VirtualCallerHangsUp_AllReleased()
    {
        await using var rig = await MixedRig.StartAsync();
        // The SIP phone speaks only A-law; the virtual side is PCM.
        await using var callee = await TestPhone.StartAsync(new MediaCapabilities([AudioCodec.Pcma]));
        Assert.True((await rig.Rig.Store.InsertAsync(
            SipDialRouterTests.Trunk("vc1", [new OriginationRoute("127.0.0.1", callee.Address.Port, "UDP", 1, 1)]),
            CancellationToken.None)).IsOk);
        rig.Rig.Handler.Script = e => (ScriptedHandler.Type(e), (string?)e["ActionData"]?["Parameters"]?["ParticipantTag"]) switch
        {
            ("NEW_INBOUND_CALL", _) => "[{\"Type\":\"CallAndBridge\",\"Parameters\":{\"CallerIdNumber\":\"+15557654321\",\"Endpoints\":[{\"BridgeEndpointType\":\"AWS\",\"Arn\":\"" + VcArn + "\",\"Uri\":\"5550\"}]}}]",
            ("HANGUP", "LEG-A") => """[{"Type":"Hangup","Parameters":{"ParticipantTag":"LEG-B"}}]""",
            _ => null,
        };
        // Times from the answer; the hang-up comes well after the exchange below.
        var caller = rig.Network.CreateInbound("+15557654321", Rig.Number, VirtualParty.Answering(
            new SayCue(TimeSpan.FromSeconds(1), ToneGenerator.Beep(TimeSpan.FromSeconds(1), VirtualTone)),
            new DigitCue(TimeSpan.FromSeconds(2.5), '4'),
            new HangupCue(TimeSpan.FromSeconds(12))));
        var tx = rig.Engine.StartInboundCall(MixedRig.Application, caller, "rule-1");
        PhoneCall? b = null;
        await SipCallLegTests.WaitUntilAsync(() => callee.Incoming.TryPeek(out b));
        var heardByPhone = new Recorder();
        using var recording = b!.Media.Session.AddInboundSink(heardByPhone);

        await rig.Rig.Handler.WaitForAsync("ACTION_SUCCESSFUL");
        Assert.Contains("PCMA", System.Text.Encoding.UTF8.GetString(b.Dialog!.InitialInvite.Body.Span), StringComparison.Ordinal);
        Assert.Same(rig.SipLegs().Single(), caller.Bridge!.Other(caller));

        // Virtual -> SIP.
        await SipCallLegTests.WaitUntilAsync(() => ToneFrames(heardByPhone.Samples(), VirtualTone) >= 30);
        var relayed = await b.Media.Session.Digits.Reader.ReadAsync().AsTask().WaitAsync(Rig.Patience);
        Assert.Equal(('4', DtmfSource.Rfc4733), (relayed.Digit, relayed.Source));

        // SIP -> virtual (the caller heard ringback before; the phone's pitch is its own).
        Assert.Equal(0, ToneFrames(caller.Heard().Samples.Span, PhoneTone));
        _ = b.Play(ToneGenerator.Beep(TimeSpan.FromSeconds(1), PhoneTone));
        await SipCallLegTests.WaitUntilAsync(() => ToneFrames(caller.Heard().Samples.Span, PhoneTone) >= 30);
        Assert.True(await b.SendRfc4733Async("6").WaitAsync(Rig.Patience));
        await SipCallLegTests.WaitUntilAsync(() => caller.DigitsHeard() == "6");
        var during = rig.Rig.Telephony.Snapshot();
        Assert.Equal((1, 1, 1, 1), (during.LiveLegs, during.Bridges, during.RtpPortPairsInUse, during.ClockStreams));

        // The virtual caller hangs up: HANGUP for LEG-A, the handler releases LEG-B (BYE to the phone).
        Assert.Equal(["LEG-A", "LEG-B"], await rig.WaitForHangupsAsync(2));
        Assert.Equal(SipEndReason.RemoteHangUp, (await b.Ended.WaitAsync(Rig.Patience)).Reason);
        Assert.Equal(["NEW_INBOUND_CALL", "ACTION_SUCCESSFUL", "HANGUP", "HANGUP"], rig.Rig.Handler.EventTypes);
        Assert.Equal("all legs ended", await tx.Completion.WaitAsync(Rig.Patience));
        await rig.AssertAllReleasedAsync(caller);
    }

    [Fact]
    public async Task BridgeWithNull_UnbridgesSipAndVirtualLegs_NoFeedSinkOrCountLeft_BothLegsStayUp()
    {
        await using var rig = await MixedRig.StartAsync();
        rig.Network.Register(VirtualCallee, new VirtualParty { RingFor = TimeSpan.FromSeconds(1) });
        rig.Rig.Handler.Script = e => ScriptedHandler.Type(e) == "NEW_INBOUND_CALL"
            ? """[{"Type":"CallAndBridge","Parameters":{"CallerIdNumber":"+15557654321","Endpoints":[{"BridgeEndpointType":"PSTN","Uri":"+14155550123"}]}}]"""
            : null;
        await using var phone = await rig.Rig.NewPhoneAsync();
        var a = await phone.CallAsync(rig.Rig.SipAddress, Rig.Number);
        await rig.Rig.Handler.WaitForAsync("ACTION_SUCCESSFUL");
        var sip = rig.SipLegs().Single();
        var b = rig.Network.Legs.Single(l => l.To == VirtualCallee);
        Assert.Equal(3, b.BridgeAttachments);
        Assert.NotNull(sip.Session!.OutboundSource);

        sip.BridgeWith(null);

        Assert.Null(sip.Bridge);
        Assert.Null(b.Bridge);
        Assert.Equal(0, b.BridgeAttachments);
        Assert.Null(sip.Session.OutboundSource);
        Assert.Equal(0, rig.Rig.Telephony.Snapshot().Bridges);
        Assert.Equal((LegState.Connected, LegState.Connected), (sip.State, b.State));

        await a.HangUpAsync().WaitAsync(Rig.Patience);
        await rig.Rig.Handler.WaitForAsync("HANGUP");
        foreach (var t in rig.Engine.Transactions)
        {
            t.Abort("test over");
        }

        await rig.AssertAllReleasedAsync(b);
    }

    /// <summary>
    /// 20 ms frames louder than -30 dBFS whose energy is mostly at <paramref name="hertz"/> (Goertzel),
    /// so the bridged party's tone is told apart from ringback, silence and the other party's tone.
    /// </summary>
    private static int ToneFrames(ReadOnlySpan<short> samples, double hertz)
    {
        const int n = PcmAudio.SamplesPerFrame;
        var coefficient = 2 * Math.Cos(2 * Math.PI * hertz / PcmAudio.SampleRate);
        var frames = 0;
        for (var start = 0; start + n <= samples.Length; start += n)
        {
            double energy = 0, s1 = 0, s2 = 0;
            foreach (var x in samples.Slice(start, n))
            {
                energy += x * (double)x;
                var s0 = x + (coefficient * s1) - s2;
                s2 = s1;
                s1 = s0;
            }

            var power = (s1 * s1) + (s2 * s2) - (coefficient * s1 * s2);
            if (Math.Sqrt(energy / n) > 1000 && power / (n / 2.0 * energy) > 0.5)
            {
                frames++;
            }
        }

        return frames;
    }

    private sealed class Recorder : OpenSma.Media.Playback.IAudioSink
    {
        private readonly List<short> _samples = [];

        public short[] Samples()
        {
            lock (_samples)
            {
                return [.. _samples];
            }
        }

        public void OnFrame(ReadOnlySpan<short> frame)
        {
            lock (_samples)
            {
                _samples.AddRange(frame);
            }
        }
    }

    /// <summary>
    /// The loopback rig with an engine whose leg factory rings registered virtual phones and sends
    /// every other leg over SIP (<see cref="VirtualNetwork.WithFallback"/>), on real time.
    /// </summary>
    private sealed class MixedRig : IAsyncDisposable
    {
        public static readonly SipMediaApplicationRef Application = new("sma-1", "111122223333", "us-east-1", DelegateHandlerResolver.EndpointFor("test"));

        private MixedRig(Rig rig, VirtualNetwork network, CallEngine engine)
        {
            Rig = rig;
            Network = network;
            Engine = engine;
        }

        public Rig Rig { get; }

        public VirtualNetwork Network { get; }

        public CallEngine Engine { get; }

        public static async Task<MixedRig> StartAsync()
        {
            var rig = await Rig.StartAsync();
            await rig.AddSmaAsync();
            await rig.AddRuleAsync(Rig.Number, false, "sma-1");
            var network = new VirtualNetwork(TimeProvider.System);
            var engine = new CallEngine(new EngineOptions(), TimeProvider.System, rig.Objects, network.WithFallback(rig.Telephony.LegFactory), [rig.Handlers]);
            // Inbound INVITEs now reach this engine; the rig still collects every SIP leg.
            rig.Telephony.Attach(engine).CallStarted += (leg, _) =>
            {
                lock (rig.Legs)
                {
                    rig.Legs.Add(leg);
                }
            };
            return new MixedRig(rig, network, engine);
        }

        public OpenSma.Telephony.Legs.SipCallLeg[] SipLegs() => Rig.LegsSnapshot();

        public async Task<List<string>> WaitForHangupsAsync(int count)
        {
            await SipCallLegTests.WaitUntilAsync(() => Rig.Handler.EventTypes.Count(t => t == "HANGUP") >= count);
            return [.. Rig.Handler.Events.Where(e => ScriptedHandler.Type(e) == "HANGUP").Select(e => (string)e["ActionData"]!["Parameters"]!["ParticipantTag"]!)];
        }

        /// <summary>SIP legs, ports, clock streams and bridges as the rig checks them; the virtual leg off its clock with nothing attached.</summary>
        public async Task AssertAllReleasedAsync(VirtualLeg virtualLeg)
        {
            await SipCallLegTests.WaitUntilAsync(() => Engine.ActiveTransactions == 0 && Network.Clock.ListenerCount == 0);
            await Rig.AssertAllReleasedAsync();
            Assert.Equal(LegState.Ended, virtualLeg.State);
            Assert.Null(virtualLeg.Bridge);
            Assert.Equal(0, virtualLeg.BridgeAttachments);
            Assert.Equal(0, Network.Clock.ListenerCount);
            Assert.Equal(0, Engine.ActiveTransactions);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var t in Engine.Transactions)
            {
                t.Abort("test over");
            }

            await Rig.DisposeAsync();
            Network.Dispose();
        }
    }
}
