using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OpenSma.Telephony.Tests.Support;

/// <summary>
/// One sipp UAC run of a scenario against the rig, over loopback, in its own scratch folder:
/// bounded in time (generous for a loaded machine) and always killed.
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
            var start = new ProcessStartInfo("sipp")
            {
                WorkingDirectory = folder.FullName,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[]
            {
                $"127.0.0.1:{target.Port}", "-sf", scenario, "-s", number, "-m", "1",
                "-i", "127.0.0.1", "-p", FreeUdpPort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-mi", "127.0.0.1", "-mp", (FreeUdpPort() & ~1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-timeout", "60s", "-timeout_error", "-nostdin", "-trace_err",
            })
            {
                start.ArgumentList.Add(a);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("sipp did not start");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            try
            {
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(90));
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }
            }

            var errors = string.Join("\n", folder.EnumerateFiles("*_errors.log").Select(f => File.ReadAllText(f.FullName)));
            return new Outcome(process.ExitCode, await stdout + await stderr + errors);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static int FreeUdpPort()
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)udp.LocalEndPoint!).Port;
    }
}
