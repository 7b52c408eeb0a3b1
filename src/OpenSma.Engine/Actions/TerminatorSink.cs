using OpenSma.Engine.Transactions;

namespace OpenSma.Engine.Actions;

/// <summary>Calls back when a digit from a terminator list arrives (PlaybackTerminators, RecordingTerminators).</summary>
internal sealed class TerminatorSink(IReadOnlyList<string> terminators, Action<char> onTerminator) : IDigitSink
{
    public void OnDigit(char digit)
    {
        if (Validation.Contains(terminators, digit))
        {
            onTerminator(digit);
        }
    }
}
