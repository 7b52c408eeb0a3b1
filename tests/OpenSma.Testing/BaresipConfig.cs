namespace OpenSma.Testing;

/// <summary>
/// A baresip (apt baresip-core) configuration folder for a test peer: loopback only, 8 kHz mono
/// G.711, its microphone a WAV file (aufile), no sound card (alsa falls back to null), its UDP
/// console (cons) for commands and key presses, and optionally what it hears recorded (sndfile).
/// Start baresip with <c>-f</c> and the folder.
/// </summary>
public static class BaresipConfig
{
    /// <summary>Writes <c>config</c> and <c>accounts</c> into <paramref name="folder"/> (created if missing).</summary>
    /// <param name="sipPort">From <see cref="FreePorts.BaresipSip"/>: baresip also listens for TLS on the next port.</param>
    /// <param name="rtpPorts">The first and last RTP port baresip may use.</param>
    /// <param name="accounts">baresip account lines, e.g. <c>&lt;sip:+15551230000@127.0.0.1&gt;;regint=0;answermode=auto;audio_codecs=PCMU,PCMA</c>.</param>
    /// <param name="recordings">Where sndfile writes what baresip sends and hears (<c>*-dec.wav</c>); null records nothing.</param>
    public static void Write(
        string folder,
        int sipPort,
        int consolePort,
        (int First, int Last) rtpPorts,
        string microphoneWav,
        IEnumerable<string> accounts,
        string? recordings = null)
    {
        Directory.CreateDirectory(folder);
        var lines = new List<string>
        {
            "poll_method epoll",
            $"sip_listen 127.0.0.1:{sipPort}",
            "net_interface 127.0.0.1",
            "call_local_timeout 120",
            "audio_player alsa,null",
            "audio_alert alsa,null",
            $"audio_source aufile,{microphoneWav}",
            "ausrc_srate 8000",
            "auplay_srate 8000",
            "ausrc_channels 1",
            "auplay_channels 1",
            "audio_level no",
            $"rtp_ports {rtpPorts.First}-{rtpPorts.Last}",
            "rtcp_mux no",
            "jitter_buffer_delay 5-10",
            "rtp_stats no",
            "statmode_default off",
            "module_path /usr/lib/baresip/modules",
            "module g711.so",
            "module aufile.so",
            "module alsa.so",
        };
        if (recordings is not null)
        {
            lines.Add("module sndfile.so");
        }

        lines.AddRange(["module cons.so", "module_tmp uuid.so", "module_tmp account.so", "module_app menu.so"]);
        if (recordings is not null)
        {
            lines.Add($"snd_path {recordings}");
        }

        lines.AddRange([$"cons_listen 127.0.0.1:{consolePort}", string.Empty]);
        File.WriteAllText(Path.Combine(folder, "config"), string.Join('\n', lines));
        File.WriteAllText(Path.Combine(folder, "accounts"), string.Join('\n', accounts) + "\n");
    }
}
