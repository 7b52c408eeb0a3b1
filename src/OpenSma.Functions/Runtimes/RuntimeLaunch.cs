namespace OpenSma.Functions.Runtimes;

/// <summary>How to start one runtime process.</summary>
/// <param name="WritesLogMarkers">
/// Our own bootstraps write an end-of-invocation marker to stdout and stderr before posting the
/// reply, so every line the handler wrote is read before the invocation's logs are closed.
/// </param>
internal sealed record RuntimeLaunch(string FileName, IReadOnlyList<string> Arguments, bool WritesLogMarkers);
