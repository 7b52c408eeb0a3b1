using OpenSma.Media.Audio;
using OpenSma.Media.Tests.TestSupport;

namespace OpenSma.Media.Tests.Audio;

public sealed class ToneGeneratorTests
{
    private static readonly double[] DtmfFrequencies = [697, 770, 852, 941, 1209, 1336, 1477, 1633];

    [Theory]
    [InlineData('1', 697, 1209)]
    [InlineData('5', 770, 1336)]
    [InlineData('9', 852, 1477)]
    [InlineData('0', 941, 1336)]
    [InlineData('*', 941, 1209)]
    [InlineData('#', 941, 1477)]
    [InlineData('A', 697, 1633)]
    [InlineData('d', 941, 1633)]
    public void Dtmf_Digit_HasItsFrequencyPairOnly(char digit, double low, double high)
    {
        var tone = ToneGenerator.Dtmf(digit, TimeSpan.FromMilliseconds(100));

        Assert.Equal(800, tone.Length);
        var body = tone.Samples.Span[40..760];
        foreach (var frequency in DtmfFrequencies)
        {
            var amplitude = Signal.Amplitude(body, frequency);
            if (frequency == low || frequency == high)
            {
                Assert.InRange(amplitude, 9000, 10500);
            }
            else
            {
                Assert.True(amplitude < 1000, $"{frequency} Hz amplitude {amplitude}");
            }
        }
    }

    [Fact]
    public void Dtmf_NotADigit_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ToneGenerator.Dtmf('E', TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public void Beep_HasRequestedFrequencyAndLength()
    {
        var beep = ToneGenerator.Beep(TimeSpan.FromMilliseconds(500), 440);

        Assert.Equal(4000, beep.Length);
        Assert.InRange(Signal.Amplitude(beep.Samples.Span[100..3900], 440), 16000, 16800);
        Assert.True(Signal.Amplitude(beep.Samples.Span[100..3900], 1000) < 300);
    }

    [Fact]
    public void Ringback_FollowsTwoSecondsOnFourSecondsOffCadence()
    {
        var ring = ToneGenerator.Ringback(TimeSpan.FromSeconds(8)).Samples.Span;

        Assert.Equal(64000, ring.Length);
        Assert.True(Signal.Amplitude(ring[1000..15000], 440) > 5000);
        Assert.True(Signal.Amplitude(ring[1000..15000], 480) > 5000);
        Assert.Equal(0, Signal.Rms(ring[16000..48000]));
        Assert.True(Signal.Rms(ring[49000..63000]) > 3000);
    }
}
