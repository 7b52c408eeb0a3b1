using OpenSma.Media.Codecs;
using OpenSma.Media.Tests.TestSupport;

namespace OpenSma.Media.Tests.Codecs;

public sealed class G711Tests
{
    [Theory]
    [InlineData(0, 0xFF)]
    [InlineData(-1, 0x7F)]
    [InlineData(short.MaxValue, 0x80)]
    [InlineData(short.MinValue, 0x00)]
    [InlineData(1000, 0xCE)]
    public void EncodeMuLaw_KnownValues(short sample, byte expected)
    {
        Assert.Equal(expected, G711.EncodeMuLaw(sample));
    }

    [Theory]
    [InlineData(0, 0xD5)]
    [InlineData(-1, 0x55)]
    [InlineData(short.MaxValue, 0xAA)]
    [InlineData(short.MinValue, 0x2A)]
    public void EncodeALaw_KnownValues(short sample, byte expected)
    {
        Assert.Equal(expected, G711.EncodeALaw(sample));
    }

    [Theory]
    [InlineData(0xFF, 0)]
    [InlineData(0x80, 32124)]
    [InlineData(0x00, -32124)]
    public void DecodeMuLaw_KnownValues(byte value, short expected)
    {
        Assert.Equal(expected, G711.DecodeMuLaw(value));
    }

    [Theory]
    [InlineData(0xD5, 8)]
    [InlineData(0x55, -8)]
    [InlineData(0xAA, 32256)]
    [InlineData(0x2A, -32256)]
    public void DecodeALaw_KnownValues(byte value, short expected)
    {
        Assert.Equal(expected, G711.DecodeALaw(value));
    }

    [Fact]
    public void EncodeOfDecode_IsIdentityForEveryCodeword()
    {
        for (var b = 0; b < 256; b++)
        {
            Assert.Equal((byte)b, G711.EncodeALaw(G711.DecodeALaw((byte)b)));
            if (b != 0x7F)
            {
                // 0x7F is mu-law's negative zero; it decodes to 0, which encodes as 0xFF.
                Assert.Equal((byte)b, G711.EncodeMuLaw(G711.DecodeMuLaw((byte)b)));
            }
        }
    }

    [Fact]
    public void Encode_IsMonotonicInInput()
    {
        var previousMu = (int)G711.DecodeMuLaw(G711.EncodeMuLaw(short.MinValue));
        var previousA = (int)G711.DecodeALaw(G711.EncodeALaw(short.MinValue));
        for (int s = short.MinValue + 1; s <= short.MaxValue; s++)
        {
            var mu = G711.DecodeMuLaw(G711.EncodeMuLaw((short)s));
            var a = G711.DecodeALaw(G711.EncodeALaw((short)s));
            Assert.True(mu >= previousMu);
            Assert.True(a >= previousA);
            previousMu = mu;
            previousA = a;
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RoundTrip_SpeechLevelTone_HasTollQualitySnr(bool muLaw)
    {
        var tone = Signal.Sine(1000, 8000, 8000, 8000).Select(v => (short)Math.Round(v)).ToArray();
        var encoded = new byte[tone.Length];
        var decoded = new short[tone.Length];

        if (muLaw)
        {
            G711.EncodeMuLaw(tone, encoded);
            G711.DecodeMuLaw(encoded, decoded);
        }
        else
        {
            G711.EncodeALaw(tone, encoded);
            G711.DecodeALaw(encoded, decoded);
        }

        double signal = 0, noise = 0;
        for (var i = 0; i < tone.Length; i++)
        {
            signal += (double)tone[i] * tone[i];
            noise += (double)(tone[i] - decoded[i]) * (tone[i] - decoded[i]);
        }

        Assert.True(10 * Math.Log10(signal / noise) > 35);
    }

    [Fact]
    public void Transcode_MatchesDecodeThenEncode()
    {
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var toA = new byte[256];
        var toMu = new byte[256];

        G711.Transcode(all, toA, muLawToALaw: true);
        G711.Transcode(all, toMu, muLawToALaw: false);

        for (var i = 0; i < 256; i++)
        {
            Assert.Equal(G711.EncodeALaw(G711.DecodeMuLaw((byte)i)), toA[i]);
            Assert.Equal(G711.EncodeMuLaw(G711.DecodeALaw((byte)i)), toMu[i]);
            Assert.Equal(toA[i], G711.MuLawToALaw((byte)i));
        }
    }

    [Fact]
    public void Encode_DestinationTooShort_Throws()
    {
        Assert.Throws<ArgumentException>(() => G711.EncodeMuLaw(new short[4], new byte[3]));
    }
}
