using System.Diagnostics;
using System.Globalization;

namespace OpenSma.Telephony.Benchmarks;

/// <summary>sipp runs: the reference (built-in uac against built-in uas) and the load scenario against serve.</summary>
internal static class SippLoad
{
    /// <param name="Rate">Successful calls over sipp's whole run, start-up and the last calls' tail included.</param>
    /// <param name="SustainedRate">Calls completed per second while sipp was still placing them (from the tenth of the calls completed to the last INVITE, sipp's one-second statistics rows): the rate the node kept up with.</param>
    /// <param name="PeakConcurrent">The most calls sipp had up at once (it stops placing at its -l limit, so a node that falls behind shows here).</param>
    public sealed record Result(double Rate, int Ok, int Failed, TimeSpan Elapsed, double SustainedRate, int PeakConcurrent);

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
        var rows = lines.Skip(1).Select(l => l.Split(';')).ToArray();
        int Column(string[] row, string name) => int.Parse(row[Array.IndexOf(header, name)], CultureInfo.InvariantCulture);
        // CurrentTime is "date<TAB>time<TAB>epoch seconds".
        double Seconds(string[] row) => double.Parse(row[Array.IndexOf(header, "CurrentTime")].Split('\t')[^1], CultureInfo.InvariantCulture);
        var ok = Column(rows[^1], "SuccessfulCall(C)");
        // The window opens once a tenth of the calls have completed (the node is past its first
        // calls and the number in flight has settled) and closes when the last call is placed.
        var first = Array.FindIndex(rows, r => Column(r, "SuccessfulCall(C)") >= calls / 10);
        var placed = Array.FindIndex(rows, r => Column(r, "OutgoingCall(C)") >= calls);
        var sustained = first >= 0 && placed > first
            ? (Column(rows[placed], "SuccessfulCall(C)") - Column(rows[first], "SuccessfulCall(C)")) / (Seconds(rows[placed]) - Seconds(rows[first]))
            : double.NaN;
        var peak = rows.Max(r => Column(r, "CurrentCall"));
        folder.Delete(recursive: true);
        return new Result(ok / watch.Elapsed.TotalSeconds, ok, Column(rows[^1], "FailedCall(C)"), watch.Elapsed, sustained, peak);
    }

    private static Process Start(string arguments, string folder) =>
        Process.Start(new ProcessStartInfo("sipp", arguments) { RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = folder })
        ?? throw new InvalidOperationException("sipp did not start");
}
