using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using OpenSma.Media.Audio;

namespace OpenSma.EndToEnd.Tests.Telephony.Support;

/// <summary>
/// A baresip softphone (apt baresip-core) in its own config directory, SIP port and RTP block
/// (34000-35999): its microphone is a WAV file, it records what it hears (sndfile), and it takes
/// commands and key presses through its UDP console (cons). Killed on dispose.
/// </summary>
internal sealed partial class BaresipPeer : IAsyncDisposable
{
    private readonly LoggedProcess _process;
    private readonly UdpClient _console = new();

    private BaresipPeer(LoggedProcess process, string recordings, int sipPort, int consolePort)
    {
        _process = process;
        RecordingDirectory = recordings;
        SipPort = sipPort;
        ConsolePort = consolePort;
    }

    public string RecordingDirectory { get; }

    public int SipPort { get; }

    public int ConsolePort { get; }

    public string Log => _process.Log;

    /// <param name="accounts">baresip account lines, e.g. <c>&lt;sip:+15551230000@127.0.0.1&gt;;regint=0;answermode=auto;audio_codecs=PCMU,PCMA</c>.</param>
    public static BaresipPeer Start(string workDirectory, string name, IEnumerable<string> accounts, string microphoneWav)
    {
        var config = Path.Combine(workDirectory, name);
        var recordings = Path.Combine(workDirectory, name + "-rec");
        Directory.CreateDirectory(recordings);
        var sipPort = FreePorts.BaresipSip();
        var consolePort = FreePorts.Udp();
        var rtp = FreePorts.RtpBlock();
        BaresipConfig.Write(config, sipPort, consolePort, (rtp, rtp + 19), microphoneWav, accounts, recordings);

        // -t is only a safety net: tests end calls by command and kill the process in finally.
        return new BaresipPeer(LoggedProcess.Start(new ProcessStartInfo("baresip") { ArgumentList = { "-f", config, "-t", "180" } }), recordings, sipPort, consolePort);
    }

    /// <summary>Waits until baresip has opened its UDP console (its banner is printed by then).</summary>
    public Task WaitUntilReadyAsync(TimeSpan timeout) => WaitForTextAsync("baresip is ready", timeout);

    public Task CommandAsync(string command) => SendAsync(Encoding.ASCII.GetBytes(command + "\n"));

    /// <summary>Presses keys as DTMF (RFC 4733): each key, then the key release byte 0x04.</summary>
    public async Task PressAsync(string keys)
    {
        foreach (var key in keys)
        {
            await SendAsync([(byte)key]);
            await Task.Delay(TimeSpan.FromMilliseconds(250));
            await SendAsync([4]);
            await Task.Delay(TimeSpan.FromMilliseconds(350));
        }
    }

    public Task WaitForTextAsync(string text, TimeSpan timeout) => _process.WaitForTextAsync(text, timeout);

    /// <summary>RFC 4733 digits baresip received, once per press.</summary>
    public string ReceivedDigits => string.Concat(ReceivedEvent().Matches(Log).Select(m => m.Groups[1].Value));

    /// <summary>The audio baresip received during its call(s) (sndfile's *-dec.wav; the longest one).</summary>
    public PcmAudio Heard()
    {
        var file = Directory.GetFiles(RecordingDirectory, "*-dec.wav").OrderByDescending(f => new FileInfo(f).Length).FirstOrDefault()
            ?? throw new InvalidOperationException("baresip recorded nothing:\n" + Log);
        return WavReader.Decode(File.ReadAllBytes(file)).Audio ?? throw new InvalidOperationException("unreadable recording " + file);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.StopAsync(() => CommandAsync("/quit"), TimeSpan.FromSeconds(5));
        _console.Dispose();
    }

    private Task SendAsync(byte[] data) => _console.SendAsync(data, data.Length, new IPEndPoint(IPAddress.Loopback, ConsolePort));

    [GeneratedRegex(@"received event: '(.)' \(end=0\)")]
    private static partial Regex ReceivedEvent();
}
