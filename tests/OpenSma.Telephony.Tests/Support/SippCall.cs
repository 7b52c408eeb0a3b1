using System.Globalization;
using System.Net;
using OpenSma.Testing;

namespace OpenSma.Telephony.Tests.Support;

/// <summary>
/// One sipp UAC run of a scenario against the rig, over loopback, in its own scratch folder:
/// bounded in time (generous for a loaded machine) and always killed (the shared
/// <see cref="Sipp"/> runner).
/// </summary>
internal static class SippCall
{
    public sealed record Outcome(int ExitCode, string Output);

    public static async Task<Outcome> RunAsync(string scenarioXml, IPEndPoint target, string number)
    {
        var folder = Directory.CreateTempSubdirectory("sipp-telephony-");
        try
        {
            var scenario = Path.Combine(folder.FullName, "scenario.xml");
            await File.WriteAllTextAsync(scenario, scenarioXml);
            var result = await Sipp.RunAsync(
                [
                    $"127.0.0.1:{target.Port}", "-sf", scenario, "-s", number, "-m", "1",
                    "-i", "127.0.0.1", "-p", FreePorts.Udp().ToString(CultureInfo.InvariantCulture),
                    "-mi", "127.0.0.1", "-mp", (FreePorts.Udp() & ~1).ToString(CultureInfo.InvariantCulture),
                    "-timeout", "60s", "-timeout_error", "-nostdin", "-trace_err",
                ],
                folder.FullName,
                TimeSpan.FromSeconds(90));
            return new Outcome(result.ExitCode, result.Output + result.Errors);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
