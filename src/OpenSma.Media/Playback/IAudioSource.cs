namespace OpenSma.Media.Playback;

/// <summary>Produces a leg's outbound audio one 20 ms frame at a time, on the media clock's thread.</summary>
public interface IAudioSource
{
    void ReadFrame(Span<short> frame);
}

/// <summary>Consumes audio frames (a recorder, a detector, the other side of a bridge). Must not block.</summary>
public interface IAudioSink
{
    void OnFrame(ReadOnlySpan<short> frame);
}
