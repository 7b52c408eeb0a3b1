using OpenSma.Media.Audio;
using OpenSma.Media.Playback;

namespace OpenSma.Media.Tests.Playback;

public sealed class AudioPlayerTests
{
    private static PcmAudio Ramp(int length, short start = 1) =>
        new(Enumerable.Range(0, length).Select(i => (short)(start + i)).ToArray());

    private static short[] Read(AudioPlayer player)
    {
        var frame = new short[PcmAudio.SamplesPerFrame];
        player.ReadFrame(frame);
        return frame;
    }

    [Fact]
    public void ReadFrame_Idle_ReturnsSilence()
    {
        var player = new AudioPlayer();
        var frame = Enumerable.Repeat((short)7, 160).ToArray();

        player.ReadFrame(frame);

        Assert.All(frame, s => Assert.Equal(0, s));
        Assert.False(player.IsPlaying);
    }

    [Fact]
    public async Task Play_AudioEndingMidFrame_PadsWithSilenceAndCompletes()
    {
        var player = new AudioPlayer();
        var done = player.Play(Ramp(200));

        var first = Read(player);
        Assert.False(done.IsCompleted);
        var second = Read(player);

        Assert.Equal(Ramp(160).Samples.ToArray(), first);
        Assert.Equal(Ramp(40, 161).Samples.ToArray(), second[..40]);
        Assert.All(second[40..], s => Assert.Equal(0, s));
        Assert.Equal(PlaybackOutcome.Completed, await done);
        Assert.False(player.IsPlaying);
    }

    [Fact]
    public async Task Play_Repeat_PlaysBackToBackThenCompletes()
    {
        var player = new AudioPlayer();
        var done = player.Play(Ramp(100), repeat: 3);

        var samples = Read(player).Concat(Read(player)).ToArray();

        var once = Ramp(100).Samples.ToArray();
        Assert.Equal(once.Concat(once).Concat(once).ToArray(), samples[..300]);
        Assert.All(samples[300..], s => Assert.Equal(0, s));
        Assert.Equal(PlaybackOutcome.Completed, await done);
    }

    [Fact]
    public async Task Play_Queued_FollowsWithoutGapInSameFrame()
    {
        var player = new AudioPlayer();
        var first = player.Play(Ramp(100, 1));
        var second = player.Play(Ramp(100, 1001));

        var frame = Read(player);

        Assert.Equal(Ramp(100, 1).Samples.ToArray(), frame[..100]);
        Assert.Equal(Ramp(60, 1001).Samples.ToArray(), frame[100..]);
        Assert.Equal(PlaybackOutcome.Completed, await first);
        Assert.False(second.IsCompleted);
        Read(player);
        Assert.Equal(PlaybackOutcome.Completed, await second);
    }

    [Fact]
    public async Task Stop_DuringPlayback_StopsCurrentAndQueuedAtFrameBoundary()
    {
        var player = new AudioPlayer();
        var current = player.Play(Ramp(1000));
        var queued = player.Play(Ramp(1000));
        var firstFrame = Read(player);

        player.Stop();
        var next = Read(player);

        Assert.Equal(Ramp(160).Samples.ToArray(), firstFrame);
        Assert.All(next, s => Assert.Equal(0, s));
        Assert.Equal(PlaybackOutcome.Stopped, await current);
        Assert.Equal(PlaybackOutcome.Stopped, await queued);
        Assert.False(player.IsPlaying);
    }

    [Fact]
    public async Task Play_AfterStop_PlaysFromTheStart()
    {
        var player = new AudioPlayer();
        _ = player.Play(Ramp(1000));
        Read(player);
        player.Stop();

        var again = player.Play(Ramp(160, 5));

        Assert.Equal(Ramp(160, 5).Samples.ToArray(), Read(player));
        Assert.Equal(PlaybackOutcome.Completed, await again);
    }

    [Fact]
    public async Task Play_EmptyAudio_CompletesOnNextFrame()
    {
        var player = new AudioPlayer();
        var done = player.Play(PcmAudio.Empty, repeat: 5);

        Read(player);

        Assert.Equal(PlaybackOutcome.Completed, await done);
    }

    [Fact]
    public void Play_InvalidRepeat_Throws()
    {
        var player = new AudioPlayer();

        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = player.Play(PcmAudio.Empty, 0); });
    }
}
