namespace OpenSma.Testing;

/// <summary>
/// linphonec (apt linphone-cli) set up as a loopback test peer: a private HOME with the folder
/// liblinphone needs (without ~/.local/share/linphone it opens no SIP socket at all) and an rc file
/// with its SIP port (UDP and TCP, no TLS), RTP range, contact and how it sends digits. Start it as
/// <c>linphonec -c</c> and the rc file, with HOME set to the same folder.
/// </summary>
public static class LinphoneConfig
{
    public static string RcFile(string home) => Path.Combine(home, "linphonerc");

    /// <summary>Creates <paramref name="home"/> and writes its rc file; returns the rc file's path.</summary>
    /// <param name="contactUser">The user part of the contact, e.g. <c>+15559870000</c>.</param>
    /// <param name="sipInfoDigits">Digits go out as SIP INFO (<c>application/dtmf-relay</c>) instead of RFC 4733 events.</param>
    public static string Write(string home, int sipPort, (int First, int Last) rtpPorts, string contactUser, bool sipInfoDigits)
    {
        Directory.CreateDirectory(Path.Combine(home, ".local", "share", "linphone"));
        var rc = RcFile(home);
        File.WriteAllText(rc, string.Join('\n',
            "[sip]",
            $"sip_port={sipPort}",
            $"sip_tcp_port={sipPort}",
            "sip_tls_port=0",
            "bind_address=127.0.0.1",
            "use_ipv6=0",
            "ipv6_migration_done=1",
            "guess_hostname=0",
            "auto_net_state_mon=0",
            $"contact=sip:{contactUser}@127.0.0.1",
            sipInfoDigits ? "use_info=1" : "use_info=0",
            sipInfoDigits ? "use_rfc2833=0" : "use_rfc2833=1",
            "[rtp]",
            "bind_address=127.0.0.1",
            $"audio_rtp_port={rtpPorts.First}-{rtpPorts.Last}",
            "[video]",
            "display=0",
            "capture=0",
            string.Empty));
        return rc;
    }
}
