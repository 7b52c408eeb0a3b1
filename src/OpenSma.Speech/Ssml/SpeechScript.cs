namespace OpenSma.Speech.Ssml;

/// <summary>How a piece of text is read (SSML <c>say-as</c>).</summary>
internal enum SayAs
{
    Text,
    /// <summary>Letter by letter (<c>characters</c>, <c>spell-out</c>).</summary>
    Characters,
    /// <summary>Digit by digit.</summary>
    Digits,
    /// <summary>A phone number: digit by digit in the groups its separators make, with a short pause between groups.</summary>
    Telephone,
}

/// <summary>
/// Speaking rate and volume of a stretch of speech. <see cref="RatePercent"/> is relative to the
/// voice's normal rate (100 = unchanged); <see cref="VolumeDecibels"/> is a gain
/// (<see cref="double.NegativeInfinity"/> = silent).
/// </summary>
internal readonly record struct Prosody(int RatePercent, double VolumeDecibels)
{
    public static Prosody Normal { get; } = new(100, 0);
}

/// <summary>One piece of a parsed speech request, in speaking order.</summary>
internal abstract record ScriptPart;

internal sealed record SpokenText(string Text, SayAs Mode, Prosody Prosody) : ScriptPart;

internal sealed record ScriptPause(TimeSpan Duration) : ScriptPart;

/// <summary>A request reduced to text runs and pauses: what every backend renders.</summary>
internal sealed record SpeechScript(IReadOnlyList<ScriptPart> Parts)
{
    public static SpeechScript FromPlainText(string text) => new([new SpokenText(text, SayAs.Text, Prosody.Normal)]);
}
