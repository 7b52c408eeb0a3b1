using OpenSma.Media.Mixing;

namespace OpenSma.Media.Tests.Mixing;

/// <summary>
/// The adaptive playout delay on virtual time: a sender puts out one 20 ms frame per tick, the
/// network delivers each at a tick of the test's choosing, and the buffer is read once per tick
/// after that tick's arrivals, as the media clock does.
/// </summary>
public sealed class FrameBufferAdaptiveTests
{
    private const int Frame = 160;
    private const short Amplitude = 8000;

    // The most a 210 Hz sine of this amplitude moves between two samples, with 15% to spare; a
    // splice that joined two different phases would jump by up to twice the amplitude.
    private static readonly double MaxStep = 1.15 * Amplitude * 2 * Math.PI * 210 / 8000;

    private static short[] Tone(int frames, double frequency = 210) =>
        Enumerable.Range(0, frames * Frame).Select(n => (short)Math.Round(Amplitude * Math.Sin(2 * Math.PI * frequency * n / 8000))).ToArray();

    // Tone bursts of onMs, then silence of offMs, repeated.
    private static short[] Bursts(int frames, int onMs, int offMs)
    {
        var samples = Tone(frames);
        var period = (onMs + offMs) * 8;
        for (var n = 0; n < samples.Length; n++)
        {
            if (n % period >= onMs * 8)
            {
                samples[n] = 0;
            }
        }

        return samples;
    }

    private sealed class Run(FrameBuffer buffer, short[] signal, Func<int, int> arrivalTick)
    {
        private readonly List<int>[] _arrivals = Schedule(signal.Length / Frame, arrivalTick);

        public short[] Output { get; } = new short[((signal.Length / Frame) + 16) * Frame];

        /// <summary>Reads in which the buffer lengthened or shortened the audio.</summary>
        public List<int> Expanded { get; } = [];

        public List<int> Accelerated { get; } = [];

        public int Tick { get; private set; }

        public void Until(int tick, bool record = true)
        {
            for (; Tick < tick && Tick < _arrivals.Length; Tick++)
            {
                foreach (var k in _arrivals[Tick])
                {
                    buffer.OnFrame(signal.AsSpan(k * Frame, Frame), (uint)(k * Frame));
                }

                var expanded = buffer.ExpandedSamples;
                var accelerated = buffer.AcceleratedSamples;
                buffer.ReadFrame(Output.AsSpan(Tick * Frame, Frame));
                if (record && buffer.ExpandedSamples != expanded)
                {
                    Expanded.Add(Tick);
                }

                if (record && buffer.AcceleratedSamples != accelerated)
                {
                    Accelerated.Add(Tick);
                }
            }
        }

        private static List<int>[] Schedule(int frames, Func<int, int> arrivalTick)
        {
            var ticks = new List<int>[frames + 16];
            for (var i = 0; i < ticks.Length; i++)
            {
                ticks[i] = [];
            }

            for (var k = 0; k < frames; k++)
            {
                // A negative tick: the frame is never sent.
                if (arrivalTick(k) is var tick and >= 0)
                {
                    ticks[Math.Min(tick, ticks.Length - 1)].Add(k);
                }
            }

            return ticks;
        }
    }

    // The largest step between neighbouring samples in the given reads (and into them from the read before).
    private static double LargestStep(short[] output, IEnumerable<int> reads)
    {
        double largest = 0;
        foreach (var read in reads)
        {
            for (var n = Math.Max(1, read * Frame); n < (read + 1) * Frame; n++)
            {
                largest = Math.Max(largest, Math.Abs(output[n] - output[n - 1]));
            }
        }

        return largest;
    }

    // The tone's frequency from rising zero crossings (with interpolation) over the samples.
    private static double Frequency(ReadOnlySpan<short> samples)
    {
        var first = -1.0;
        var last = -1.0;
        var crossings = 0;
        for (var n = 1; n < samples.Length; n++)
        {
            if (samples[n - 1] < 0 && samples[n] >= 0)
            {
                var at = n - 1 + ((double)-samples[n - 1] / (samples[n] - samples[n - 1]));
                if (first < 0)
                {
                    first = at;
                }
                else
                {
                    crossings++;
                }

                last = at;
            }
        }

        return crossings == 0 ? 0 : crossings * 8000 / (last - first);
    }

    private static double Rms(ReadOnlySpan<short> samples)
    {
        double sum = 0;
        foreach (var s in samples)
        {
            sum += (double)s * s;
        }

        return Math.Sqrt(sum / samples.Length);
    }

    [Fact]
    public void SteadyArrivals_DelayConvergesToAFrame_AndTheToneStaysWhole()
    {
        var buffer = new FrameBuffer();
        var signal = Tone(1500); // 30 s
        var run = new Run(buffer, signal, k => k);

        run.Until(50);
        Assert.Equal(2 * Frame, buffer.TargetSamples); // no statistics yet: 40 ms, as before
        Assert.Equal(2 * Frame, buffer.DepthSamples);
        run.Until(1500);

        // One frame (20 ms) queued at each read, at most 10 ms more: the frame read is the one that just arrived.
        Assert.Equal(Frame, buffer.TargetSamples);
        Assert.InRange(buffer.DepthSamples, Frame, Frame + 80);
        Assert.True(buffer.AcceleratedSamples >= 80, $"accelerated {buffer.AcceleratedSamples}");
        Assert.Equal(0, buffer.ExpandedSamples);
        Assert.Equal(0, buffer.UnderrunFrames);
        Assert.Equal(0, buffer.ConcealedFrames);
        Assert.Equal(0, buffer.LateSamples);

        // Periods were removed (voiced audio, no pauses), each spliced without a jump, the pitch
        // unchanged, the level kept in every frame once the audio started.
        Assert.NotEmpty(run.Accelerated);
        var step = LargestStep(run.Output, Enumerable.Range(2, 1497));
        Assert.True(step <= MaxStep, $"largest step {step:F0}, a sine moves at most {MaxStep:F0}");
        foreach (var read in run.Accelerated)
        {
            Assert.InRange(Frequency(run.Output.AsSpan((read - 1) * Frame, 3 * Frame)), 207, 213);
        }

        for (var read = 2; read < 1499; read++)
        {
            Assert.InRange(Rms(run.Output.AsSpan(read * Frame, Frame)), 0.95 * Amplitude / Math.Sqrt(2), 1.05 * Amplitude / Math.Sqrt(2));
        }
    }

    [Fact]
    public void JitterBursts_DelayGrowsSoLaterBurstsDoNotUnderrun_ThenShrinksSlowly()
    {
        // Every 5 s the network stalls for 60 ms: three frames arrive together with the fourth.
        const int every = 250;
        const int bursts = 6;
        static int Arrival(int k) => k < every * bursts && k % every is >= 125 and < 128 ? k - (k % every) + 128 : k;
        var buffer = new FrameBuffer();
        var run = new Run(buffer, Tone(every * (bursts + 14)), Arrival);

        run.Until(every + 124);
        var firstBurst = buffer.UnderrunFrames;
        run.Until((2 * every) + 124);

        // The first stall was waited out (underrun, concealed) and the delay it left was shrunk
        // away in the five seconds after; the second stall repeats the first: both underrun.
        Assert.True(buffer.AcceleratedSamples >= 240, $"accelerated {buffer.AcceleratedSamples} before the second stall");
        Assert.True(buffer.UnderrunFrames > firstBurst, "the first stall did not underrun");
        var secondBurst = buffer.UnderrunFrames;
        run.Until((bursts * every) + 124);

        // Two stalls within ten seconds are a pattern: the delay stays high enough for the next.
        Assert.True(buffer.UnderrunFrames == secondBurst, $"{buffer.UnderrunFrames - secondBurst} underruns after the second stall");
        Assert.Equal(0, buffer.LateSamples);
        Assert.True(buffer.TargetSamples >= Frame + 480, $"target {buffer.TargetSamples}");
        Assert.True(buffer.DepthSamples >= Frame + 480, $"depth {buffer.DepthSamples}");

        // Ten seconds after the last stall the delay is still kept; a minute after, it is back to a frame.
        run.Until((bursts * every) + 500);
        Assert.True(buffer.DepthSamples >= Frame + 480, $"depth {buffer.DepthSamples} ten seconds after the jitter");
        run.Until((bursts + 14) * every);
        Assert.InRange(buffer.DepthSamples, Frame, Frame + 80);
        Assert.Equal(Frame, buffer.TargetSamples);
        Assert.True(buffer.UnderrunFrames == secondBurst);
    }

    [Fact]
    public void RepeatedLateFrames_GrowTheDelayByRepeatingPitchPeriods_WithoutAnUnderrun()
    {
        // One frame at a time is held back 60 ms while the ones after it arrive on time (playout
        // runs a frame behind, so they are queued): it is concealed, then dropped as late. The
        // second time within ten seconds shows the delay is too short for this network.
        static int Arrival(int k) => k is 400 or 420 or 700 ? k + 3 : k;
        var buffer = new FrameBuffer();
        var run = new Run(buffer, Tone(1000), Arrival);

        run.Until(430);
        var late = buffer.LateSamples;
        Assert.Equal(2 * Frame, late);
        Assert.Equal(2, buffer.ConcealedFrames);
        Assert.True(buffer.ExpandedSamples >= 240, $"expanded {buffer.ExpandedSamples}");
        Assert.True(buffer.TargetSamples >= Frame + 480, $"target {buffer.TargetSamples}");
        Assert.True(buffer.DepthSamples >= Frame + 480, $"depth {buffer.DepthSamples}");
        Assert.Equal(0, buffer.UnderrunFrames);

        // The repeated periods join the tone without a jump and keep its pitch.
        Assert.NotEmpty(run.Expanded);
        var step = LargestStep(run.Output, run.Expanded);
        Assert.True(step <= MaxStep, $"largest step {step:F0} in an expanded frame, a sine moves at most {MaxStep:F0}");
        foreach (var read in run.Expanded)
        {
            Assert.InRange(Frequency(run.Output.AsSpan(read * Frame, Frame)), 205, 215);
            Assert.InRange(Rms(run.Output.AsSpan(read * Frame, Frame)), 0.95 * Amplitude / Math.Sqrt(2), 1.05 * Amplitude / Math.Sqrt(2));
        }

        // The third time, the frame is in time.
        run.Until(1000);
        Assert.Equal(late, buffer.LateSamples);
        Assert.Equal(2, buffer.ConcealedFrames);
        Assert.Equal(0, buffer.UnderrunFrames);
    }

    [Fact]
    public void Shortening_PrefersPauses_ToneBurstsKeepTheirLength()
    {
        // 400 ms of tone, 400 ms of silence: the delay the start left is removed in the pauses.
        var buffer = new FrameBuffer();
        var signal = Bursts(1000, 400, 400);
        var run = new Run(buffer, signal, k => k);

        run.Until(1000);

        Assert.True(buffer.AcceleratedSamples >= 80, $"accelerated {buffer.AcceleratedSamples}");
        Assert.InRange(buffer.DepthSamples, Frame, Frame + 80);
        foreach (var read in run.Accelerated)
        {
            Assert.True(Rms(run.Output.AsSpan(read * Frame, Frame)) < 100, $"read {read} was shortened in the tone");
        }

        // Every tone burst that came out whole is as long as it went in (a pitch period less would be 40 samples).
        var lengths = BurstLengths(run.Output.AsSpan(0, 990 * Frame));
        Assert.True(lengths.Count >= 20);
        Assert.All(lengths.Skip(1), length => Assert.InRange(length, 3190, 3210));
    }

    private static List<int> BurstLengths(ReadOnlySpan<short> output)
    {
        var lengths = new List<int>();
        var start = -1;
        var lastLoud = -1;
        for (var n = 0; n < output.Length; n++)
        {
            if (Math.Abs((int)output[n]) < 500)
            {
                continue;
            }

            if (start < 0 || n - lastLoud > 400)
            {
                if (start >= 0)
                {
                    lengths.Add(lastLoud - start + 1);
                }

                start = n;
            }

            lastLoud = n;
        }

        return lengths;
    }

    // Steady noise (no pauses, no pitch) with a DTMF tone of toneMs starting at frame toneFrame.
    private static short[] NoiseWithDtmf(int frames, int toneFrame, int toneMs, char digit)
    {
        var samples = new short[frames * Frame];
        var state = 12345u;
        for (var n = 0; n < samples.Length; n++)
        {
            state = (state * 1664525) + 1013904223;
            samples[n] = (short)((int)(state >> 16) % 1000);
        }

        var (low, high) = OpenSma.Media.Audio.ToneGenerator.DtmfFrequencies(digit);
        for (var n = 0; n < toneMs * 8; n++)
        {
            samples[(toneFrame * Frame) + n] = (short)Math.Round(5000 * (Math.Sin(2 * Math.PI * low * n / 8000) + Math.Sin(2 * Math.PI * high * n / 8000)));
        }

        return samples;
    }

    [Theory]
    [InlineData(444)]
    [InlineData(445)]
    [InlineData(446)]
    [InlineData(447)]
    [InlineData(448)]
    public void DtmfToneInSteadyNoise_KeepsItsLength_WhileTheDelayIsShrunk(int toneFrame)
    {
        // After five seconds above the target the buffer shortens any audio; a short DTMF tone
        // (40-60 ms) played through must not lose a period, or a detector downstream misses it.
        var buffer = new FrameBuffer();
        var signal = NoiseWithDtmf(1200, toneFrame, 50, '1');
        var run = new Run(buffer, signal, k => k);
        run.Until(1200);

        var input = signal.Count(s => Math.Abs(s) > 2000);
        var output = run.Output.Count(s => Math.Abs(s) > 2000);
        Assert.True(buffer.AcceleratedSamples > 0, "the delay was shrunk");
        Assert.InRange(output, input - 4, input + 4);
    }

    [Fact]
    public void PauseWithTimestampsRunningOn_IsSkipped_NotAddedToTheDelay()
    {
        // Silence suppression: the sender stops for 100 ms (timestamps keep counting), then talks again.
        var buffer = new FrameBuffer();
        var signal = Tone(1000);
        var run = new Run(buffer, signal, k => k is >= 500 and < 505 ? -1 : k);

        run.Until(495);
        var before = buffer.DepthSamples;
        run.Until(520);

        // Waiting through the pause and playing it as concealment would leave 100 ms more.
        Assert.InRange(before, Frame, Frame + 80);
        Assert.InRange(buffer.DepthSamples, Frame, Frame + 80);
        Assert.Equal(1, buffer.UnderrunFrames);
        Assert.Equal(0, buffer.LateSamples);
    }

    [Fact]
    public void UntimedFrames_KeepTheFixedDelay_AndPlaySampleForSample()
    {
        // A local source written on its own clock, 60 ms ahead at the start: nothing is shortened.
        var buffer = new FrameBuffer();
        var signal = Tone(600);
        var output = new short[signal.Length];
        for (var k = 0; k < 3; k++)
        {
            buffer.OnFrame(signal.AsSpan(k * Frame, Frame));
        }

        for (var k = 3; k < 600; k++)
        {
            buffer.OnFrame(signal.AsSpan(k * Frame, Frame));
            buffer.ReadFrame(output.AsSpan((k - 3) * Frame, Frame));
        }

        Assert.Equal(signal[..(597 * Frame)], output[..(597 * Frame)]);
        Assert.Equal(3 * Frame, buffer.BufferedSamples);
        Assert.Equal(2 * Frame, buffer.TargetSamples);
        Assert.Equal(0, buffer.AcceleratedSamples);
        Assert.Equal(0, buffer.ExpandedSamples);
    }

    [Fact]
    public void TryReadFrame_NothingQueued_StartsAgainAtTheTarget()
    {
        var buffer = new FrameBuffer();
        var frame = new short[Frame];
        var signal = Tone(10);
        buffer.OnFrame(signal.AsSpan(0, Frame), 0);
        Assert.False(buffer.TryReadFrame(frame)); // priming: playout one frame behind (the initial target)
        buffer.OnFrame(signal.AsSpan(Frame, Frame), Frame);
        Assert.True(buffer.TryReadFrame(frame));
        Assert.Equal(signal[..Frame], frame);
        Assert.True(buffer.TryReadFrame(frame));
        Assert.False(buffer.TryReadFrame(frame)); // nothing queued

        // Frame 2 comes a tick late: playout waited, so it is in time and nothing was lost.
        buffer.OnFrame(signal.AsSpan(2 * Frame, Frame), 2 * Frame);
        Assert.True(buffer.TryReadFrame(frame));
        Assert.Equal(signal[(2 * Frame)..(3 * Frame)], frame);
        Assert.Equal(0, buffer.LateSamples);
    }

    [Fact]
    public void Adapting_AllocatesNothingPerFrame()
    {
        // A minute in cycles: 20 s of late frames and stalls (the delay grows), 40 s calm (it shrinks).
        static int Arrival(int k) => (k % 3000, k % 200) switch
        {
            ( < 1000, >= 50 and < 53) => k - (k % 200) + 53,
            ( < 1000, 120) => k + 3,
            _ => k,
        };
        var buffer = new FrameBuffer();
        var run = new Run(buffer, Bursts(6000, 300, 200), Arrival);
        run.Until(1000); // warm up: first-use paths, the estimator's statistics

        // The least of three windows, as in RtpSessionAllocationTests: a per-frame allocation shows
        // in every window, a runtime one-off on this thread in one.
        var allocated = new List<long>();
        var adapted = new List<long>();
        for (var to = 2500; to <= 5500; to += 1500)
        {
            var moved = buffer.AcceleratedSamples + buffer.ExpandedSamples;
            var before = GC.GetAllocatedBytesForCurrentThread();
            run.Until(to, record: false);
            allocated.Add(GC.GetAllocatedBytesForCurrentThread() - before);
            adapted.Add(buffer.AcceleratedSamples + buffer.ExpandedSamples - moved);
        }

        Assert.All(adapted, samples => Assert.True(samples > 0, "samples adapted per window: " + string.Join(", ", adapted)));
        Assert.True(allocated.Min() == 0, "allocated bytes per 1,500 frames: " + string.Join(", ", allocated));
    }
}
