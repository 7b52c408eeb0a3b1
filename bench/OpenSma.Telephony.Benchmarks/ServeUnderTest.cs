using System.Diagnostics;
using System.Globalization;
using System.Text;
using OpenSma.Testing;

namespace OpenSma.Telephony.Benchmarks;

/// <summary>
/// The real <c>opensma serve</c> executable (built beside this benchmark) on loopback, with a
/// prompts bucket and an SMA + SIP rule created through the AWS CLI; and what the OS says about
/// it: CPU seconds, resident memory, and UDP ports held (from /proc and ss).
/// </summary>
internal sealed class ServeUnderTest : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServeUnderTest(Process process, string dataDirectory, string apiUrl, int sipPort)
    {
        _process = process;
        DataDirectory = dataDirectory;
        ApiUrl = apiUrl;
        SipPort = sipPort;
    }

    public string DataDirectory { get; }

    public string ApiUrl { get; }

    public int SipPort { get; }

    public int Pid => _process.Id;

    public static async Task<ServeUnderTest> StartAsync(string dataDirectory)
    {
        var apiUrl = $"http://127.0.0.1:{FreePort()}";
        var sipPort = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "opensma.dll"), "serve", "--data-dir", dataDirectory, "--api-url", apiUrl, "--sip-address", "127.0.0.1", "--sip-port", sipPort.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start)!;
        var serve = new ServeUnderTest(process, dataDirectory, apiUrl, sipPort);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) => serve.Append(e.Data, ready);
        process.ErrorDataReceived += (_, e) => serve.Append(e.Data, ready);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromMinutes(2));
        return serve;
    }

    public async Task CreateSmaAsync(string handlerUrl, string number)
    {
        var sma = await AwsAsync("create-sip-media-application", "--aws-region", "us-east-1", "--name", "bench-" + number.TrimStart('+'), "--endpoints", $"LambdaArn={handlerUrl}");
        var id = System.Text.Json.JsonDocument.Parse(sma).RootElement.GetProperty("SipMediaApplication").GetProperty("SipMediaApplicationId").GetString();
        await AwsAsync("create-sip-rule", "--name", "bench-" + number.TrimStart('+'), "--trigger-type", "ToPhoneNumber", "--trigger-value", number,
            "--target-applications", $"SipMediaApplicationId={id},Priority=1,AwsRegion=us-east-1");
    }

    /// <summary>User plus system CPU time of the serve process so far.</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);   // USER_HZ is 100 on Linux
    }

    /// <summary>Resident set size now and its peak (VmRSS, VmHWM), in MB.</summary>
    public (double Rss, double Peak) Memory()
    {
        double Read(string key) => double.Parse(File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith(key, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        return (Read("VmRSS:"), Read("VmHWM:"));
    }

    /// <summary>UDP ports the serve process holds, other than SIP (RTP/RTCP of live legs).</summary>
    public int MediaPorts()
    {
        var ss = Process.Start(new ProcessStartInfo("ss", "-H -u -a -n -p") { RedirectStandardOutput = true, UseShellExecute = false })!;
        var text = ss.StandardOutput.ReadToEnd();
        ss.WaitForExit();
        return text.Split('\n').Count(l => l.Contains($"pid={Pid},", StringComparison.Ordinal) && !l.Contains($":{SipPort} ", StringComparison.Ordinal));
    }

    /// <summary>
    /// serve's in-process RTP send timing lines from <c>/metrics</c> (what serve put on the wire,
    /// measured against its clock's grid, without the phones' scheduling), or a note when absent.
    /// </summary>
    public async Task<IReadOnlyList<string>> SendTimingMetricsAsync()
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var text = await http.GetStringAsync(ApiUrl + "/metrics");
            var lines = text.Split('\n').Where(l => l.StartsWith("opensma_rtp_send", StringComparison.Ordinal) || l.StartsWith("opensma_media_clock", StringComparison.Ordinal) || l.StartsWith("opensma_media_timed", StringComparison.Ordinal) || l.StartsWith("dotnet_gc_", StringComparison.Ordinal)).ToList();
            return lines.Count > 0 ? lines : ["(serve's /metrics has no opensma_rtp_send_* lines)"];
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return [$"(no /metrics: {ex.Message})"];
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM first: serve shuts down as it would under systemd or Docker (and a trace or
            // dump it was asked to write gets flushed); killed if it has not exited within 10 s.
            using (var term = Process.Start(new ProcessStartInfo("kill", $"-TERM {_process.Id}") { UseShellExecute = false }))
            {
                await term!.WaitForExitAsync();
            }

            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine("           serve did not exit within 10 s of SIGTERM; killed");
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    /// <summary>A loopback port free for UDP and TCP (<see cref="FreePorts.UdpAndTcp"/>).</summary>
    public static int FreePort() => FreePorts.UdpAndTcp();

    private async Task<string> AwsAsync(params string[] args)
    {
        var start = new ProcessStartInfo("aws") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "chime-sdk-voice" }.Concat(args).Concat(["--endpoint-url", ApiUrl, "--output", "json"]))
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "secret";
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        using var aws = Process.Start(start)!;
        var stdout = aws.StandardOutput.ReadToEndAsync();
        var stderr = aws.StandardError.ReadToEndAsync();
        await aws.WaitForExitAsync();
        return aws.ExitCode == 0 ? await stdout : throw new InvalidOperationException($"aws {string.Join(' ', args)}: {await stderr}");
    }

    private void Append(string? line, TaskCompletionSource ready)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 1 << 20)
            {
                _output.AppendLine(line);
            }
        }

        if (line.Contains("OpenSMA serving", StringComparison.Ordinal))
        {
            ready.TrySetResult();
        }
    }
}
