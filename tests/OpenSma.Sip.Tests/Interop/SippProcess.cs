using OpenSma.Testing;

namespace OpenSma.Sip.Tests.Interop;

/// <summary>
/// The SIP tests' names for the shared sipp runner and port helpers (<see cref="Sipp"/>,
/// <see cref="FreePorts"/> in OpenSma.Testing): one sipp process in its own scratch folder,
/// bounded in time and always killed.
/// </summary>
internal static class SippProcess
{
    public sealed record Outcome(int ExitCode, string Output, string Errors);

    public static async Task<Outcome> RunAsync(IEnumerable<string> arguments, TimeSpan limit)
    {
        var folder = Directory.CreateTempSubdirectory("sipp-");
        var result = await Sipp.RunAsync(arguments, folder.FullName, limit);
        folder.Delete(recursive: true);
        return new Outcome(result.ExitCode, result.Output, result.Errors);
    }

    /// <summary>True when something (sipp) has bound the loopback port for this protocol.</summary>
    public static bool IsBound(int port, bool tcp) => FreePorts.IsBound(port, tcp);

    /// <summary>A port the OS just handed out for both UDP and TCP on loopback.</summary>
    public static int FreePort() => FreePorts.UdpAndTcp();
}
