namespace OpenSma.Speech.Espeak;

/// <summary>How the espeak-ng command line is run.</summary>
public sealed record EspeakOptions
{
    /// <summary>The espeak-ng executable: a path, or a name looked up on PATH.</summary>
    public string Executable { get; init; } = "espeak-ng";

    /// <summary>Time one espeak-ng process may take before it is killed and the request fails.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>espeak-ng processes running at once; further requests wait their turn.</summary>
    public int MaxConcurrentProcesses { get; init; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>espeak-ng's normal rate in words per minute (its <c>-s</c> default); prosody rates scale it.</summary>
    public int WordsPerMinute { get; init; } = 175;
}
