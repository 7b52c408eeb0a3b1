namespace OpenSma.Media.Playback;

public enum PlaybackOutcome
{
    /// <summary>Every repeat was played to the end.</summary>
    Completed,

    /// <summary>Stop() interrupted the item before or while it played.</summary>
    Stopped,
}
