using System.Net;
using System.Net.Sockets;

namespace OpenSma.EndToEnd.Tests.Telephony.Support;

/// <summary>
/// Ports for the peers of the telephony tests. SIP ports come from the OS (free for UDP and TCP);
/// RTP ranges for peers are handed out from 34000-35999 in blocks of 20, each block checked free.
/// </summary>
internal static class PortPool
{
    private const int First = 34000;
    private const int Last = 35999;
    private const int Block = 20;
    private static int _next = First;

    public static int FreeUdpAndTcpPort()
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
            }
        }

        throw new InvalidOperationException("no free SIP port");
    }

    public static int FreeUdpPort()
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)udp.LocalEndPoint!).Port;
    }

    /// <summary>The first port of a block of <see cref="Block"/> UDP ports that are all free now (even, for RTP).</summary>
    public static int RtpBlock()
    {
        for (var attempt = 0; attempt < (Last - First) / Block; attempt++)
        {
            var start = Interlocked.Add(ref _next, Block) - Block;
            if (start + Block > Last)
            {
                Interlocked.Exchange(ref _next, First);
                continue;
            }

            if (AllFree(start, Block))
            {
                return start;
            }
        }

        throw new InvalidOperationException("no free RTP block in 34000-35999");
    }

    private static bool AllFree(int start, int count)
    {
        for (var port = start; port < start + count; port++)
        {
            try
            {
                using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            }
            catch (SocketException)
            {
                return false;
            }
        }

        return true;
    }
}
