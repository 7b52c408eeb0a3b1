using System.Net;
using System.Net.Sockets;

namespace OpenSma.Testing;

/// <summary>
/// Loopback ports for servers and peers under test. The OS picks a free port; it stays free only
/// until someone else binds it, so callers bind it soon after. RTP blocks for external peers come
/// from 34000-35999 in blocks of 20, each block checked free when handed out.
/// </summary>
public static class FreePorts
{
    private const int RtpFirst = 34000;
    private const int RtpLast = 35999;
    private const int RtpBlockSize = 20;
    private static int s_nextRtp = RtpFirst;

    /// <summary>A TCP port the OS just handed out on loopback (HTTP servers, PostgreSQL).</summary>
    public static int Tcp()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A UDP port the OS just handed out on loopback.</summary>
    public static int Udp()
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)udp.LocalEndPoint!).Port;
    }

    /// <summary>A loopback port free for both UDP and TCP (a SIP listener on both transports).</summary>
    public static int UdpAndTcp()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            try
            {
                using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // Taken for UDP; try another.
            }
        }

        throw new InvalidOperationException("no loopback port free for both UDP and TCP");
    }

    /// <summary>
    /// A SIP port for a baresip peer: free for UDP and TCP, with the next port free for TCP too,
    /// because baresip opens its SIP-over-TLS listener on the port after <c>sip_listen</c> and fails
    /// to start when that one is taken.
    /// </summary>
    public static int BaresipSip()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var port = UdpAndTcp();
            if (port < IPEndPoint.MaxPort && !IsBound(port + 1, tcp: true))
            {
                return port;
            }
        }

        throw new InvalidOperationException("no loopback port free for UDP and TCP with the next one free for TCP");
    }

    /// <summary>True when something (a peer that is starting) has bound the loopback port for this protocol.</summary>
    public static bool IsBound(int port, bool tcp = false)
    {
        using var probe = tcp
            ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    /// <summary>The first (even) port of a block of 20 UDP ports in 34000-35999 that are all free now, for a peer's RTP.</summary>
    public static int RtpBlock()
    {
        for (var attempt = 0; attempt < (RtpLast - RtpFirst) / RtpBlockSize; attempt++)
        {
            var start = Interlocked.Add(ref s_nextRtp, RtpBlockSize) - RtpBlockSize;
            if (start + RtpBlockSize > RtpLast)
            {
                Interlocked.Exchange(ref s_nextRtp, RtpFirst);
                continue;
            }

            if (AllUdpFree(start, RtpBlockSize))
            {
                return start;
            }
        }

        throw new InvalidOperationException($"no free RTP block in {RtpFirst}-{RtpLast}");
    }

    private static bool AllUdpFree(int start, int count)
    {
        for (var port = start; port < start + count; port++)
        {
            if (IsBound(port))
            {
                return false;
            }
        }

        return true;
    }
}
