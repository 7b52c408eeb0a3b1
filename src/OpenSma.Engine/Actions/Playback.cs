using OpenSma.Engine.Transactions;
using OpenSma.Media.Audio;
using OpenSma.Media.Playback;

namespace OpenSma.Engine.Actions;

/// <summary>Playback shared by PlayAudio, the *AndGetDigits actions and CallAndBridge's ringback.</summary>
internal static class Playback
{
    /// <summary>
    /// Plays <paramref name="audio"/> <paramref name="repeat"/> times; a digit in
    /// <paramref name="terminators"/> stops it at once (spec §7.4). Returns true when a terminator stopped it.
    /// </summary>
    public static async Task<bool> PlayAsync(
        LegSlot slot,
        PcmAudio audio,
        int repeat,
        IReadOnlyList<string>? terminators,
        CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var terminated = false;
        using var sink = terminators is { Count: > 0 }
            ? slot.AddDigitSink(new TerminatorSink(terminators, _ =>
            {
                terminated = true;
                stop.Cancel();
            }))
            : null;
        try
        {
            await slot.Leg.PlayAsync(audio, repeat, stop.Token);
        }
        catch (OperationCanceledException) when (terminated && !cancellationToken.IsCancellationRequested)
        {
        }

        cancellationToken.ThrowIfCancellationRequested();
        return terminated;
    }
}
