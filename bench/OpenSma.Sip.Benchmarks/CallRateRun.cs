using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using OpenSma.Sip.Dialogs;
using OpenSma.Testing;

namespace OpenSma.Sip.Benchmarks;

/// <summary>
/// Calls per second with sipp's built-in uac (INVITE, 200, ACK, BYE, no media) against our UAS,
/// and in the same run against sipp's own built-in uas as the reference ceiling.
/// </summary>
internal static class CallRateRun
{
    private static readonly byte[] Sdp = Encoding.ASCII.GetBytes(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n");

    public static async Task<int> RunAsync(int rate, int calls)
    {
        var ours = await MeasureOursAsync(rate, calls);
        var reference = await MeasureReferenceAsync(rate, calls);
        Console.WriteLine($"sipp uac -> OpenSma.Sip UAS : {ours.Rate:F0} calls/s, {ours.Successful} ok, {ours.Failed} failed ({calls} calls offered at {rate}/s), our process CPU {ours.CpuMicrosecondsPerCall:F0} us/call");
        Console.WriteLine($"sipp uac -> sipp uas (ref)  : {reference.Rate:F0} calls/s, {reference.Successful} ok, {reference.Failed} failed ({calls} calls offered at {rate}/s)");
        return ours.Failed == 0 ? 0 : 1;
    }

    private sealed record Result(double Rate, int Successful, int Failed, double CpuMicrosecondsPerCall = double.NaN);

    private static async Task<Result> MeasureOursAsync(int rate, int calls)
    {
        var port = FreePorts.Udp();
        var loopback = new IPEndPoint(IPAddress.Loopback, port);
        await using var endpoint = new SipEndpoint(new SipEndpointOptions { UdpEndPoints = [loopback], TcpEndPoints = [] });
        endpoint.IncomingCall = dialog => _ = dialog.AnswerAsync(Sdp, "application/sdp");
        await endpoint.StartAsync();

        // This process runs only our UAS during the sipp run, so its CPU time is the stack's cost.
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var result = await RunUacAsync(port, rate, calls);
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        return result with { CpuMicrosecondsPerCall = used.TotalMilliseconds * 1000 / Math.Max(1, result.Successful) };
    }

    private static async Task<Result> MeasureReferenceAsync(int rate, int calls)
    {
        var port = FreePorts.Udp();
        using var uas = StartSipp($"-sn uas -i 127.0.0.1 -p {port} -nostdin");
        var drain = uas.StandardOutput.ReadToEndAsync();
        await Task.Delay(1000);
        try
        {
            return await RunUacAsync(port, rate, calls);
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

    private static async Task<Result> RunUacAsync(int port, int rate, int calls)
    {
        var folder = Directory.CreateTempSubdirectory("sipp-bench-");
        var statsFile = Path.Combine(folder.FullName, "stats.csv");
        var args = $"127.0.0.1:{port} -sn uac -i 127.0.0.1 -p {FreePorts.Udp()} -r {rate} -m {calls} -d 0 -l {rate * 4} " +
                   $"-timeout 120s -nostdin -trace_stat -stf {statsFile} -fd 1";
        using var uac = StartSipp(args, folder.FullName);
        var watch = Stopwatch.StartNew();
        var output = uac.StandardOutput.ReadToEndAsync();
        await uac.WaitForExitAsync();
        watch.Stop();
        await output;
        var (ok, failed) = ReadTotals(statsFile);
        folder.Delete(recursive: true);
        return new Result(ok / watch.Elapsed.TotalSeconds, ok, failed);
    }

    private static (int Ok, int Failed) ReadTotals(string statsFile)
    {
        var lines = File.ReadAllLines(statsFile);
        var header = lines[0].Split(';');
        var last = lines[^1].Split(';');
        int Column(string name) => int.Parse(last[Array.IndexOf(header, name)], CultureInfo.InvariantCulture);
        return (Column("SuccessfulCall(C)"), Column("FailedCall(C)"));
    }

    private static Process StartSipp(string arguments, string? folder = null)
    {
        var start = new ProcessStartInfo("sipp", arguments)
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = folder ?? Path.GetTempPath(),
        };
        return Process.Start(start) ?? throw new InvalidOperationException("sipp did not start");
    }
}
