using System.Diagnostics;
using System.Text.Json;
using OpenSma.EndToEnd.Tests.Support;

namespace OpenSma.EndToEnd.Tests.Telephony.Support;

/// <summary>
/// The real <c>opensma serve</c> executable on loopback: its own data directory, a free API port and
/// a free SIP port. Killed (with its children) on dispose; its output is kept for failure messages.
/// </summary>
internal sealed class ServeProcess : IAsyncDisposable
{
    private readonly LoggedProcess _process;
    private IReadOnlyList<int> _baseline = [];

    /// <summary>Gauges that are zero when no call is up.</summary>
    private static readonly string[] ReleasedGauges =
        ["opensma_call_transactions", "opensma_sip_legs", "opensma_sip_bridges", "opensma_sip_dialogs", "opensma_rtp_port_pairs_leased"];

    private ServeProcess(string dataDirectory, string apiUrl, int sipPort, LoggedProcess process)
    {
        DataDirectory = dataDirectory;
        ApiUrl = apiUrl;
        SipPort = sipPort;
        _process = process;
    }

    public string DataDirectory { get; }

    public string ApiUrl { get; }

    public int SipPort { get; }

    public int Pid => _process.Id;

    public string Output => _process.Log;

    /// <summary>Starts serve and waits until it says it is serving; <paramref name="config"/> is written to a config file when given.</summary>
    public static async Task<ServeProcess> StartAsync(string workDirectory, object? config = null)
    {
        var dataDirectory = Path.Combine(workDirectory, "serve-data");
        Directory.CreateDirectory(dataDirectory);
        var apiUrl = $"http://127.0.0.1:{FreePorts.Tcp()}";
        var sipPort = FreePorts.UdpAndTcp();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workDirectory };
        foreach (var arg in new[] { TestProcess.Opensma, "serve", "--data-dir", dataDirectory, "--api-url", apiUrl, "--sip-address", "127.0.0.1", "--sip-port", sipPort.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        if (config is not null)
        {
            var path = Path.Combine(workDirectory, "opensma.json");
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(config));
            start.ArgumentList.Add("--config");
            start.ArgumentList.Add(path);
        }

        var serve = new ServeProcess(dataDirectory, apiUrl, sipPort, LoggedProcess.Start(start));
        try
        {
            await serve._process.WaitForTextAsync("OpenSMA serving", TimeSpan.FromSeconds(90));
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            await serve.DisposeAsync();
            throw new InvalidOperationException("opensma serve did not start", ex);
        }

        serve._baseline = await serve.MediaPortsAsync();
        return serve;
    }

    /// <summary>Sockets the serve process holds now (SIP, HTTP, RTP of live calls...), from /proc.</summary>
    public int OpenSockets()
    {
        try
        {
            return Directory.GetFiles($"/proc/{Pid}/fd").Count(fd =>
            {
                var target = new FileInfo(fd).LinkTarget;
                return target is not null && target.StartsWith("socket:", StringComparison.Ordinal);
            });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    /// <summary>UDP ports the serve process has bound now, other than its SIP port: RTP/RTCP of live legs (from <c>ss</c>).</summary>
    public async Task<IReadOnlyList<int>> MediaPortsAsync()
    {
        var (_, stdout, _) = await ExternalProcess.RunAsync("ss", ["-H", "-u", "-a", "-n", "-p"], TimeSpan.FromSeconds(30));
        var ports = new List<int>();
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!line.Contains($"pid={Pid},", StringComparison.Ordinal))
            {
                continue;
            }

            var local = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3];
            if (int.TryParse(local[(local.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var port) && port != SipPort)
            {
                ports.Add(port);
            }
        }

        return ports;
    }

    /// <summary>
    /// Waits until serve has released everything a call holds: no call transactions, SIP legs,
    /// bridges, SIP dialogs or leased RTP port pairs in <c>/metrics</c>, and no UDP port beyond the
    /// ones it held right after start (every leg's RTP/RTCP pair closed). Fails with what is still held.
    /// SIP transactions are left out: they linger up to 32 s by design to absorb retransmissions.
    /// </summary>
    public async Task AssertMediaReleasedAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var metrics = await MetricsAsync();
            var held = ReleasedGauges.Where(g => metrics.GetValueOrDefault(g) != 0).Select(g => $"{g} {metrics[g]}").ToList();
            held.AddRange((await MediaPortsAsync()).Except(_baseline).Select(p => $"UDP port {p}"));
            if (held.Count == 0)
            {
                Assert.All(ReleasedGauges, g => Assert.True(metrics.ContainsKey(g), $"/metrics has no {g}"));
                return;
            }

            try
            {
                await Task.Delay(250, cts.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail("serve still holds " + string.Join(", ", held));
            }
        }
    }

    /// <summary>The samples of serve's <c>GET /metrics</c>, keyed by name with labels (<c>opensma_sip_transactions{role="client"}</c>).</summary>
    public async Task<IReadOnlyDictionary<string, double>> MetricsAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        return PrometheusSamples.Parse(await http.GetStringAsync(ApiUrl + "/metrics"));
    }

    /// <summary>The AWS CLI against this server; fails the test with stderr when the command fails.</summary>
    public async Task<JsonElement> AwsAsync(params string[] args)
    {
        var (exit, stdout, stderr) = await TestProcess.AwsChimeAsync(ApiUrl, "AKIDEXAMPLE", "secret", args);
        Assert.True(exit == 0, $"aws {string.Join(' ', args)} failed: {stderr}");
        return stdout.Length == 0 ? default : JsonDocument.Parse(stdout).RootElement.Clone();
    }

    /// <summary>Creates an SMA whose endpoint is <paramref name="handlerUrl"/> and a SIP rule sending <paramref name="number"/> to it; returns the SMA id.</summary>
    public async Task<string> CreateSmaWithRuleAsync(string handlerUrl, string number)
    {
        var sma = await AwsAsync("create-sip-media-application", "--aws-region", "us-east-1", "--name", "e2e-" + Guid.NewGuid().ToString("N")[..8], "--endpoints", $"LambdaArn={handlerUrl}");
        var smaId = sma.GetProperty("SipMediaApplication").GetProperty("SipMediaApplicationId").GetString()!;
        await AwsAsync(
            "create-sip-rule", "--name", "rule-" + number.TrimStart('+'), "--trigger-type", "ToPhoneNumber", "--trigger-value", number,
            "--target-applications", $"SipMediaApplicationId={smaId},Priority=1,AwsRegion=us-east-1");
        return smaId;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
