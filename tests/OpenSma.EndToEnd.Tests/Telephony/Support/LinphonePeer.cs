using System.Diagnostics;
using OpenSma.Media.Audio;

namespace OpenSma.EndToEnd.Tests.Telephony.Support;

/// <summary>
/// linphonec (apt linphone-cli) as an independent second SIP/RTP stack: a private HOME (liblinphone
/// needs ~/.local/share/linphone), its own rc file, SIP port and RTP block, the microphone and the
/// recording set through "soundcard use files", and commands typed on stdin. Killed on dispose.
/// </summary>
internal sealed class LinphonePeer : IAsyncDisposable
{
    private readonly LoggedProcess _process;
    private readonly string _home;

    private LinphonePeer(LoggedProcess process, string home, string recording, string debugLog)
    {
        _process = process;
        _home = home;
        RecordingPath = recording;
        DebugLogPath = debugLog;
    }

    public string RecordingPath { get; }

    /// <summary>liblinphone's debug log (<c>-d 6 -l</c>, written when started with SIP INFO digits): the SIP messages it sent and received.</summary>
    public string DebugLogPath { get; }

    public string Log => _process.Log;

    /// <param name="sipInfoDigits">Digits typed during a call go out as SIP INFO (<c>application/dtmf-relay</c>) instead of RFC 4733 events.</param>
    public static async Task<LinphonePeer> StartAsync(string workDirectory, string caller, string microphoneWav, bool sipInfoDigits = false)
    {
        var home = Directory.CreateTempSubdirectory("linphone-home-").FullName;
        var rtp = FreePorts.RtpBlock();
        var rc = LinphoneConfig.Write(home, FreePorts.UdpAndTcp(), (rtp, rtp + 19), caller, sipInfoDigits);
        var debugLog = Path.Combine(home, "linphone-debug.log");
        var start = new ProcessStartInfo("linphonec")
        {
            ArgumentList = { "-c", rc },
            RedirectStandardInput = true,
            WorkingDirectory = workDirectory,
        };
        if (sipInfoDigits)
        {
            // Only there: the debug log is how a test sees that the digits went out as INFO.
            foreach (var arg in new[] { "-d", "6", "-l", debugLog })
            {
                start.ArgumentList.Add(arg);
            }
        }

        start.Environment["HOME"] = home;
        var peer = new LinphonePeer(LoggedProcess.Start(start), home, Path.Combine(workDirectory, "linphone-heard-" + Guid.NewGuid().ToString("N")[..6] + ".wav"), debugLog);
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
        await _process.Process.StandardInput.WriteLineAsync(line);
        await _process.Process.StandardInput.FlushAsync();
    }

    /// <summary>Presses digits (a lone digit typed during a call): RFC 4733 events, or SIP INFO when started so.</summary>
    public async Task PressAsync(string digits)
    {
        foreach (var digit in digits)
        {
            await TypeAsync(digit.ToString());
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }

    public Task WaitForTextAsync(string text, TimeSpan timeout) => _process.WaitForTextAsync(text, timeout);

    /// <summary>Calls <paramref name="uri"/>, lets the greeting play once answered, types the digits and waits until the call has ended.</summary>
    public async Task CallAndPressAsync(string uri, string digits, TimeSpan timeout)
    {
        await TypeAsync("call " + uri);
        await WaitForTextAsync("connected", timeout);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await PressAsync(digits);
        await WaitForTextAsync("ended", timeout);
    }

    /// <summary>The debug log as far as written (it holds what was sent on the wire).</summary>
    public string DebugLog()
    {
        try
        {
            using var stream = new FileStream(DebugLogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return new StreamReader(stream).ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            return "";
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.StopAsync(() => TypeAsync("quit"), TimeSpan.FromSeconds(30));
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
