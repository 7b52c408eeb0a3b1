using OpenSma.Media.Audio;

namespace OpenSma.Media.Tests.Audio;

public sealed class PcmAudioTests
{
    [Fact]
    public void Duration_IsSamplesOverRate()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(20), new PcmAudio(new short[160]).Duration);
        Assert.Equal(TimeSpan.FromSeconds(1.5), new PcmAudio(new short[12000]).Duration);
    }

    [Fact]
    public void Silence_HasRequestedLengthOfZeros()
    {
        var silence = PcmAudio.Silence(TimeSpan.FromMilliseconds(250));

        Assert.Equal(2000, silence.Length);
        Assert.All(silence.Samples.ToArray(), s => Assert.Equal(0, s));
    }

    [Fact]
    public void Concat_JoinsPartsInOrder()
    {
        var joined = PcmAudio.Concat(new PcmAudio([1, 2]), PcmAudio.Empty, new PcmAudio([3]));

        Assert.Equal(new short[] { 1, 2, 3 }, joined.Samples.ToArray());
    }
}
