using OpenSma.Media.Mixing;

namespace OpenSma.Media.Tests.Mixing;

public sealed class TimeStretchTests
{
    private const int Frame = 160;
    private const double Amplitude = 8000;

    private static short[] Sine(int length, double frequency, int start = 0) =>
        Enumerable.Range(start, length).Select(n => (short)Math.Round(Amplitude * Math.Sin(2 * Math.PI * frequency * n / 8000))).ToArray();

    private static double MaxStep(double frequency) => 1.1 * Amplitude * 2 * Math.PI * frequency / 8000;

    private static double LargestStep(ReadOnlySpan<short> samples)
    {
        double largest = 0;
        for (var n = 1; n < samples.Length; n++)
        {
            largest = Math.Max(largest, Math.Abs(samples[n] - samples[n - 1]));
        }

        return largest;
    }

    // Frequency from the spacing of the first and last rising zero crossings (interpolated).
    private static double Frequency(ReadOnlySpan<short> samples)
    {
        var crossings = new List<double>();
        for (var n = 1; n < samples.Length; n++)
        {
            if (samples[n - 1] < 0 && samples[n] >= 0)
            {
                crossings.Add(n - 1 + ((double)-samples[n - 1] / (samples[n] - samples[n - 1])));
            }
        }

        return (crossings.Count - 1) * 8000 / (crossings[^1] - crossings[0]);
    }

    [Theory]
    [InlineData(200.0)] // a period of 40 samples
    [InlineData(147.0)] // 54.4 samples: the lag is a whole number, the period is not
    [InlineData(333.0)] // 24 samples, below the shortest lag: a multiple is found
    public void Shorten_ByTheBestLag_KeepsTheSineContinuousAndItsPitch(double frequency)
    {
        var input = Sine(2 * Frame, frequency);
        var lag = TimeStretch.BestLag(input, 0, TimeStretch.MaxLag, forward: true, out var score);
        var period = 8000 / frequency;
        var output = new short[Frame];

        TimeStretch.Shorten(input.AsSpan(0, Frame + lag), lag, output);

        Assert.True(score > 0.99, $"correlation {score}");
        Assert.True(Math.Abs((lag / period) - Math.Round(lag / period)) * period < 1, $"lag {lag} for a period of {period:F1}");
        var played = new short[Frame + 1];
        played[0] = (short)Math.Round(Amplitude * Math.Sin(-2 * Math.PI * frequency / 8000)); // the sample played before
        output.CopyTo(played, 1);
        Assert.True(LargestStep(played) <= MaxStep(frequency), $"largest step {LargestStep(played):F0}");
        Assert.InRange(Frequency(output), frequency * 0.98, frequency * 1.02);
        Assert.Equal(input[(Frame + lag - 1)..(Frame + lag)], output[^1..]); // ends where the consumed input ends
    }

    [Theory]
    [InlineData(200.0)]
    [InlineData(147.0)]
    [InlineData(333.0)]
    public void Lengthen_ByTheBestLag_RepeatsAPeriodWithoutAJump(double frequency)
    {
        // A frame already played, then the frame to play.
        var signal = Sine(2 * Frame, frequency);
        var lag = TimeStretch.BestLag(signal, Frame, TimeStretch.MaxLag, forward: false, out var score);
        var output = new short[Frame];

        TimeStretch.Lengthen(signal, Frame, lag, output);

        Assert.True(score > 0.99, $"correlation {score}");
        var played = new short[Frame + 1];
        played[0] = signal[Frame - 1];
        output.CopyTo(played, 1);
        Assert.True(LargestStep(played) <= MaxStep(frequency), $"largest step {LargestStep(played):F0}");
        Assert.InRange(Frequency(output), frequency * 0.98, frequency * 1.02);

        // The rest of the frame is the input from the origin, and it continues with the sample after.
        Assert.Equal(signal[Frame..(2 * Frame - lag)], output[lag..]);
    }

    [Fact]
    public void Shorten_AtAWrongLag_BreaksTheSine()
    {
        // What the lag search is for: half a period off, the cross-fade cancels the tone.
        var input = Sine(2 * Frame, 200);
        var output = new short[Frame];

        TimeStretch.Shorten(input.AsSpan(0, Frame + 60), 60, output);

        Assert.True(output[25..35].Select(s => Math.Abs((int)s)).Max() < 0.3 * Amplitude);
    }

    [Fact]
    public void Energy_IsTheMeanSquare()
    {
        Assert.Equal(0, TimeStretch.Energy([]));
        Assert.Equal(2500f, TimeStretch.Energy([50, -50, 50, -50]));
    }

    [Fact]
    public void Shorten_Lengthen_RejectSegmentsThatDoNotFit()
    {
        var output = new short[Frame];
        Assert.Throws<ArgumentException>(() => TimeStretch.Shorten(new short[Frame + 10], 20, output));
        Assert.Throws<ArgumentException>(() => TimeStretch.Shorten(new short[Frame + 200], 200, new short[200]));
        Assert.Throws<ArgumentException>(() => TimeStretch.Lengthen(new short[2 * Frame], 40, 80, output));
        Assert.Throws<ArgumentException>(() => TimeStretch.Lengthen(new short[Frame + 100], Frame, 40, output));
    }
}
