namespace OpenSma.Media.Filters;

/// <summary>
/// Changes 8 kHz PCM in place, frame after frame, keeping its own state between calls. Frames may
/// have any length; the filter's delay is constant. Must not block or allocate per frame.
/// </summary>
public interface IAudioFilter
{
    /// <summary>Constant delay the filter adds, in samples.</summary>
    int Latency { get; }

    void Process(Span<short> frame);

    /// <summary>Forgets all state (a new stream, a new peer).</summary>
    void Reset();
}
