using System.Diagnostics;
using System.Globalization;
using System.Text;
using OpenSma.Media.Audio;

namespace OpenSma.EndToEnd.Tests.Telephony.Support;

/// <summary>
/// linphonec (apt linphone-cli) as an independent second SIP/RTP stack: a private HOME (liblinphone
/// needs ~/.local/share/linphone), its own rc file, SIP port and RTP block, the microphone and the
/// recording set through "soundcard use files", and commands typed on stdin. Killed on dispose.
/// </summary>
internal sealed class LinphonePeer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly string _home;

    private LinphonePeer(Process process, string home, string recording)
    {
        _process = process;
        _home = home;
        RecordingPath = recording;
    }

    public string RecordingPath { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static async Task<LinphonePeer> StartAsync(string workDirectory, string caller, string microphoneWav)
    {
        var home = Directory.CreateTempSubdirectory("linphone-home-").FullName;
        Directory.CreateDirectory(Path.Combine(home, ".local", "share", "linphone"));
        var sipPort = PortPool.FreeUdpAndTcpPort().ToString(CultureInfo.InvariantCulture);
        var rtp = PortPool.RtpBlock();
        var rc = Path.Combine(home, "linphonerc");
        await File.WriteAllTextAsync(rc, string.Join('\n',
            "[sip]",
            $"sip_port={sipPort}",
            $"sip_tcp_port={sipPort}",
            "sip_tls_port=0",
            "bind_address=127.0.0.1",
            "use_ipv6=0",
            "ipv6_migration_done=1",
            "guess_hostname=0",
            "auto_net_state_mon=0",
            $"contact=sip:{caller}@127.0.0.1",
            "use_info=0",
            "use_rfc2833=1",
            "[rtp]",
            "bind_address=127.0.0.1",
            $"audio_rtp_port={rtp}-{rtp + 19}",
            "[video]",
            "display=0",
            "capture=0",
            string.Empty));
        var start = new ProcessStartInfo("linphonec")
        {
            ArgumentList = { "-c", rc },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workDirectory,
        };
        start.Environment["HOME"] = home;
        var process = Process.Start(start)!;
        var peer = new LinphonePeer(process, home, Path.Combine(workDirectory, "linphone-heard-" + Guid.NewGuid().ToString("N")[..6] + ".wav"));
        process.OutputDataReceived += (_, e) => peer.Append(e.Data);
        process.ErrorDataReceived += (_, e) => peer.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await peer.TypeAsync("soundcard use files");
        await peer.TypeAsync("play " + microphoneWav);
        await peer.TypeAsync("record " + peer.RecordingPath);
        return peer;
    }

    /// <summary>
    /// What linphone recorded (8 kHz mono 16-bit). linphone writes a plain 44-byte header and fills in
    /// the sizes when it closes the file; if it had to be killed first, the samples after the header are read as they are.
    /// </summary>
    public static PcmAudio ReadRecording(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (WavReader.Decode(bytes).Audio is { } audio)
        {
            return audio;
        }

        Assert.True(bytes.Length > 44, $"linphone recorded nothing usable ({bytes.Length} bytes)");
        var samples = new short[(bytes.Length - 44) / 2];
        Buffer.BlockCopy(bytes, 44, samples, 0, samples.Length * 2);
        return new PcmAudio(samples);
    }

    public async Task TypeAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Presses digits as RFC 4733 events (a lone digit typed during a call).</summary>
    public async Task PressAsync(string digits)
    {
        foreach (var digit in digits)
        {
            await TypeAsync(digit.ToString());
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }

    public async Task WaitForTextAsync(string text, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!Log.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"linphonec exited before '{text}':\n{Log}");
            }

            try
            {
                await Task.Delay(100, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"linphonec never showed '{text}':\n{Log}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await TypeAsync("quit");
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        catch (Exception ex) when (ex is TimeoutException or IOException or InvalidOperationException)
        {
        }
        finally
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
            try
            {
                Directory.Delete(_home, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
