using System.Globalization;
using System.Net;
using System.Net.Sockets;
using OpenSma.Media.Audio;
using OpenSma.Media.Clock;
using OpenSma.Media.Playback;
using OpenSma.Media.Recording;
using OpenSma.Media.Rtp;
using OpenSma.Media.Sdp;
using OpenSma.Media.Tests.TestSupport;
using OpenSma.Testing;
using Xunit.Abstractions;

namespace OpenSma.Media.Tests.Interop;

/// <summary>
/// A real softphone (baresip) calls a harness built on this library: the harness answers with our
/// SDP, records what baresip plays, detects the RFC 4733 digits it sends, and plays a beep back,
/// which baresip records. Real time, real sockets on 127.0.0.1, generous timeouts.
/// </summary>
public sealed class BaresipInteropTests(ITestOutputHelper output)
{
    private const double PromptFrequency = 700;
    private const double PromptAmplitude = 0.25 * 32767;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task Baresip_CallsHarness_DigitsDetectedPromptRecordedBeepHeard()
    {
        using var scratch = new ExternalTool.Scratch();
        var config = Path.Combine(scratch.Path, "a");
        var recordings = Path.Combine(scratch.Path, "rec");
        Directory.CreateDirectory(recordings);

        // baresip's microphone: 1 s silence, 2 s of tone, then silence (the end of file would hang up).
        var prompt = PcmAudio.Concat(
            PcmAudio.Silence(TimeSpan.FromSeconds(1)),
            Tone(TimeSpan.FromSeconds(2)),
            PcmAudio.Silence(TimeSpan.FromSeconds(30)));
        var promptPath = Path.Combine(scratch.Path, "prompt.wav");
        File.WriteAllBytes(promptPath, WavWriter.WriteMono(prompt.Samples.Span));

        var ports = new RtpPortAllocator(32300, 32399);
        using var lease = ports.TryAllocate(IPAddress.Loopback) ?? throw new InvalidOperationException("no RTP ports");
        var offerAnswer = new OfferAnswerSession(IPAddress.Loopback, lease.RtpPort, MediaCapabilities.Default);
        NegotiatedMedia? negotiated = null;
        using var sip = new MiniSipUas(offer =>
        {
            var parsed = SdpParser.Parse(offer);
            var result = parsed.Description is null ? null : offerAnswer.AnswerOffer(parsed.Description);
            negotiated = result?.Media;
            return result?.Answer?.ToString();
        });
        sip.Start();

        var consolePort = FreePorts.Udp();
        var rtpBase = FreePorts.Udp() & ~1;
        BaresipConfig.Write(config, FreePorts.BaresipSip(), consolePort, (rtpBase, rtpBase + 9), promptPath, ["<sip:+15559870000@127.0.0.1>;regint=0;audio_codecs=PCMU,PCMA"], recordings);

        using var clock = new MediaClock(TimeProvider.System);
        RtpSession? session = null;
        var baresip = new System.Diagnostics.Process
        {
            StartInfo = new System.Diagnostics.ProcessStartInfo("baresip")
            {
                ArgumentList = { "-f", config, "-e", $"/dial sip:+15551230000@127.0.0.1:{sip.Port}", "-t", "16" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            },
        };
        try
        {
            baresip.Start();
            var log = baresip.StandardOutput.ReadToEndAsync();
            _ = baresip.StandardError.ReadToEndAsync();

            await sip.InviteOffer.Task.WaitAsync(Patience);
            Assert.NotNull(negotiated);
            session = new RtpSession(new UdpMediaTransport(lease), negotiated.Options, TimeProvider.System);
            session.SetRemote(negotiated.RemoteRtp, negotiated.RemoteRtcp);
            var recorder = new AudioRecorder(new RecordingOptions(TimeSpan.FromSeconds(30)));
            session.AddInboundSink(recorder.Input);
            session.Start();
            clock.Subscribe(session);
            clock.Subscribe(recorder);
            await sip.Acked.Task.WaitAsync(Patience);

            var beep = session.Player.Play(PcmAudio.Concat(PcmAudio.Silence(TimeSpan.FromSeconds(1)), ToneGenerator.Beep(TimeSpan.FromSeconds(1), 1000)));

            // Key presses through baresip's UDP console: the digit, then 0x04 to release it.
            using (var console = new UdpClient())
            {
                await Task.Delay(TimeSpan.FromSeconds(4)); // real-time peer: let the prompt's tone play first
                foreach (var key in "123#")
                {
                    await console.SendAsync(new[] { (byte)key }, 1, new IPEndPoint(IPAddress.Loopback, consolePort));
                    await Task.Delay(TimeSpan.FromMilliseconds(250));
                    await console.SendAsync(new byte[] { 4 }, 1, new IPEndPoint(IPAddress.Loopback, consolePort));
                    await Task.Delay(TimeSpan.FromMilliseconds(350));
                }
            }

            var digits = new List<char>();
            using (var timeout = new CancellationTokenSource(Patience))
            {
                while (digits.Count < 4)
                {
                    digits.Add((await session.Digits.Reader.ReadAsync(timeout.Token)).Digit);
                }
            }

            Assert.Equal("123#", new string([.. digits]));
            Assert.Equal(PlaybackOutcome.Completed, await beep.WaitAsync(Patience));
            await sip.Bye.Task.WaitAsync(Patience);
            var recording = await recorder.Stop();
            await baresip.WaitForExitAsync(new CancellationTokenSource(Patience).Token);
            output.WriteLine(await log);

            // The prompt's tone arrived at its level and for its length.
            var toneFrames = 0;
            var samples = recording.Audio.Samples;
            var amplitudes = new List<double>();
            for (var offset = 0; offset + 160 <= samples.Length; offset += 160)
            {
                var amplitude = Signal.Amplitude(samples.Span.Slice(offset, 160), PromptFrequency);
                // Full-level frames only: when baresip's stream stalls, the jitter buffer conceals
                // the gap with faded copies of the last frame (gain below 0.9 from the first sample).
                if (amplitude > PromptAmplitude * 0.9)
                {
                    toneFrames++;
                    amplitudes.Add(amplitude);
                }
            }

            output.WriteLine($"tone frames {toneFrames}, median amplitude {amplitudes.Order().ElementAtOrDefault(amplitudes.Count / 2):F0}, recorded {recording.Audio.Duration}");
            // 100 frames sent; baresip and our clock both run in real time, and on a loaded 2-core
            // machine a stalled sender drops some: at least 70 must arrive, never more than were sent.
            Assert.InRange(toneFrames, 70, 106);
            var median = amplitudes.Order().ElementAt(amplitudes.Count / 2);
            Assert.InRange(20 * Math.Log10(median / PromptAmplitude), -1.5, 1.5);
            Assert.True(session.GetStatistics().PacketsReceived > 300);

            // baresip recorded what it received from us: the 1 kHz beep.
            var decoded = Directory.GetFiles(recordings, "*-dec.wav").Single();
            var heard = WavReader.Decode(File.ReadAllBytes(decoded)).Audio!;
            var beepFrames = 0;
            for (var offset = 0; offset + 160 <= heard.Length; offset += 160)
            {
                if (Signal.Amplitude(heard.Samples.Span.Slice(offset, 160), 1000) > 8000)
                {
                    beepFrames++;
                }
            }

            output.WriteLine($"baresip heard {beepFrames} frames of our beep");
            Assert.InRange(beepFrames, 40, 51);
        }
        finally
        {
            if (!baresip.HasExited)
            {
                baresip.Kill(entireProcessTree: true);
            }

            baresip.Dispose();
            session?.Dispose();
        }
    }

    private static PcmAudio Tone(TimeSpan duration)
    {
        var samples = new short[PcmAudio.SamplesFor(duration)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)Math.Round(PromptAmplitude * Math.Sin(2 * Math.PI * PromptFrequency * i / 8000));
        }

        return new PcmAudio(samples);
    }
}
