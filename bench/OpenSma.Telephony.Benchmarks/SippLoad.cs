using System.Diagnostics;
using System.Globalization;

namespace OpenSma.Telephony.Benchmarks;

/// <summary>sipp runs: the reference (built-in uac against built-in uas) and the load scenario against serve.</summary>
internal static class SippLoad
{
    public sealed record Result(double Rate, int Ok, int Failed, TimeSpan Elapsed);

    public static async Task<Result> ReferenceAsync(int rate, int calls)
    {
        var port = ServeUnderTest.FreePort();
        using var uas = Start($"-sn uas -i 127.0.0.1 -p {port} -nostdin", Path.GetTempPath());
        var drain = uas.StandardOutput.ReadToEndAsync();
        await Task.Delay(1000);
        try
        {
            return await RunUacAsync($"127.0.0.1:{port} -sn uac -d 0", rate, calls);
        }
        finally
        {
            if (!uas.HasExited)
            {
                uas.Kill(entireProcessTree: true);
            }

            await uas.WaitForExitAsync();
            await drain;
        }
    }

    public static Task<Result> IntoServeAsync(int sipPort, string number, int rate, int calls) =>
        RunUacAsync($"127.0.0.1:{sipPort} -sf {Path.Combine(AppContext.BaseDirectory, "Scenarios", "load-uac.xml")} -s {number} -mi 127.0.0.1 -mp {ServeUnderTest.FreePort() & ~1}", rate, calls);

    internal static async Task<Result> RunUacAsync(string target, int rate, int calls)
    {
        var folder = Directory.CreateTempSubdirectory("sipp-telbench-");
        var stats = Path.Combine(folder.FullName, "stats.csv");
        using var uac = Start($"{target} -i 127.0.0.1 -p {ServeUnderTest.FreePort()} -r {rate} -m {calls} -l {Math.Max(rate * 10, 50)} -timeout 300s -nostdin -trace_stat -stf {stats} -fd 1", folder.FullName);
        var watch = Stopwatch.StartNew();
        var output = uac.StandardOutput.ReadToEndAsync();
        await uac.WaitForExitAsync();
        watch.Stop();
        await output;
        var lines = File.ReadAllLines(stats);
        var header = lines[0].Split(';');
        var last = lines[^1].Split(';');
        int Column(string name) => int.Parse(last[Array.IndexOf(header, name)], CultureInfo.InvariantCulture);
        var ok = Column("SuccessfulCall(C)");
        folder.Delete(recursive: true);
        return new Result(ok / watch.Elapsed.TotalSeconds, ok, Column("FailedCall(C)"), watch.Elapsed);
    }

    private static Process Start(string arguments, string folder) =>
        Process.Start(new ProcessStartInfo("sipp", arguments) { RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = folder })
        ?? throw new InvalidOperationException("sipp did not start");
}
