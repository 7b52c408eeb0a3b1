using OpenSma.Media.Filters;

namespace OpenSma.Media.Tests.Filters;

public sealed class RealFftTests
{
    private static float[] Samples(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1) * 1000)];
    }

    [Theory]
    [InlineData(8)]
    [InlineData(256)]
    public void Forward_MatchesTheDefinitionOfTheDft(int size)
    {
        var x = Samples(size, size);
        var fft = new RealFft(size);
        var re = new float[fft.Bins];
        var im = new float[fft.Bins];

        fft.Forward(x, re, im);

        for (var k = 0; k < fft.Bins; k++)
        {
            double expectedRe = 0, expectedIm = 0;
            for (var n = 0; n < size; n++)
            {
                expectedRe += x[n] * Math.Cos(-2 * Math.PI * k * n / size);
                expectedIm += x[n] * Math.Sin(-2 * Math.PI * k * n / size);
            }

            Assert.InRange(re[k], expectedRe - 0.5, expectedRe + 0.5);
            Assert.InRange(im[k], expectedIm - 0.5, expectedIm + 0.5);
        }
    }

    [Fact]
    public void Inverse_OfForward_GivesTheInputBack()
    {
        var x = Samples(256, 9);
        var fft = new RealFft(256);
        var re = new float[fft.Bins];
        var im = new float[fft.Bins];
        var back = new float[256];

        fft.Forward(x, re, im);
        fft.Inverse(re, im, back);

        for (var n = 0; n < x.Length; n++)
        {
            Assert.InRange(back[n], x[n] - 0.01f, x[n] + 0.01f);
        }
    }

    [Fact]
    public void Constructor_SizeNotAPowerOfTwo_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RealFft(200));
    }
}
