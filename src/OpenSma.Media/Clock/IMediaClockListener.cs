namespace OpenSma.Media.Clock;

/// <summary>Something driven by the media clock: called once per 20 ms frame, on the clock's thread.</summary>
public interface IMediaClockListener
{
    /// <summary>Tick numbers count 20 ms frames since the clock started; they never go backwards.</summary>
    void OnTick(long tick);
}
