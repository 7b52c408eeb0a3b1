namespace OpenSma.Media.Playback;

/// <summary>
/// A sink that also wants each frame's RTP timestamp (its sample position on the sender's
/// timeline), so it can put packets that arrive out of order back in place and notice gaps.
/// <see cref="Rtp.RtpSession"/> calls this overload instead of <see cref="IAudioSink.OnFrame"/>.
/// </summary>
public interface ITimedAudioSink : IAudioSink
{
    void OnFrame(ReadOnlySpan<short> frame, uint timestamp);
}
