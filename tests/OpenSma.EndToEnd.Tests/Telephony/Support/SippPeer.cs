using System.Diagnostics;
using OpenSma.EndToEnd.Tests.Support;

namespace OpenSma.EndToEnd.Tests.Telephony.Support;

/// <summary>
/// One sipp process (apt sip-tester) running a scenario from <c>Telephony/Scenarios</c>, in its own
/// scratch folder, with its SIP port and media port chosen free. Exit codes are sipp's: 0 every
/// call passed, 1 a call failed, 255 fatal or global timeout. Killed on dispose.
/// </summary>
internal sealed class SippPeer : IAsyncDisposable
{
    private readonly LoggedProcess _process;
    private readonly string _folder;

    private SippPeer(LoggedProcess process, string folder, int sipPort)
    {
        _process = process;
        _folder = folder;
        SipPort = sipPort;
    }

    public int SipPort { get; }

    public static string Scenario(string name) =>
        Path.Combine(TestProcess.RepoRoot, "tests", "OpenSma.EndToEnd.Tests", "Telephony", "Scenarios", name);

    /// <summary>Starts sipp with the scenario; <paramref name="remote"/> is host:port for a UAC, null for a UAS.</summary>
    public static async Task<SippPeer> StartAsync(string workDirectory, string scenario, string? remote, IEnumerable<string> extra, TimeSpan globalTimeout)
    {
        var folder = Directory.CreateTempSubdirectory("sipp-").FullName;
        var port = FreePorts.UdpAndTcp();
        var media = FreePorts.RtpBlock();
        var start = new ProcessStartInfo("sipp") { WorkingDirectory = folder };
        var args = new List<string>();
        if (remote is not null)
        {
            args.Add(remote);
        }

        args.AddRange([
            "-sf", Scenario(scenario), "-i", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-mi", "127.0.0.1", "-mp", media.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-m", "1", "-timeout", $"{(int)globalTimeout.TotalSeconds}s", "-timeout_error", "-nostdin", "-trace_err",
        ]);
        args.AddRange(extra);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        _ = workDirectory;
        var peer = new SippPeer(LoggedProcess.Start(start), folder, port);
        // A UAS must be listening before anyone calls it.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!FreePorts.IsBound(port) && !peer._process.HasExited)
        {
            await Task.Delay(50, cts.Token);
        }

        return peer;
    }

    /// <summary>Waits for sipp to finish; returns its exit code, output and error log.</summary>
    public async Task<(int Exit, string Output)> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.Process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Process.Kill(entireProcessTree: true);
            await _process.Process.WaitForExitAsync();
        }

        var errors = string.Join("\n", Directory.EnumerateFiles(_folder, "*_errors.log").Select(File.ReadAllText));
        return (_process.Process.ExitCode, _process.Log + "\n" + errors);
    }

    /// <summary>Waits for sipp to finish and fails the test, with sipp's log and <paramref name="context"/>, unless every call passed (exit 0).</summary>
    public async Task AssertPassedAsync(TimeSpan timeout, string context)
    {
        var (exit, log) = await WaitAsync(timeout);
        Assert.True(exit == 0, $"sipp exit {exit}:\n{log}\n{context}");
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
