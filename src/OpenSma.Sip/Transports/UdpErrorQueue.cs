using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace OpenSma.Sip.Transports;

/// <summary>
/// ICMP errors for datagrams sent from an unconnected UDP socket (64-bit Linux). Linux reports
/// them on such a socket only with IP_RECVERR / IPV6_RECVERR set, and then queues each one, with
/// the destination of the datagram that caused it, on the socket's error queue, read with
/// recvmsg(MSG_ERRQUEUE). .NET's Socket offers neither, so this calls libc. The same option also
/// makes the next plain receive or send on the socket fail once with the error (that is how the
/// receive loop learns there is something to read here).
/// </summary>
internal static unsafe partial class UdpErrorQueue
{
    private const int SolIp = 0;
    private const int IpRecvErr = 11;
    private const int SolIpv6 = 41;
    private const int Ipv6RecvErr = 25;
    private const int MsgDontWait = 0x40;
    private const int MsgErrQueue = 0x2000;
    private const int EConnRefused = 111;
    private const int ENetUnreach = 101;
    private const int EHostUnreach = 113;
    private const ushort AfInet = 2;
    private const ushort AfInet6 = 10;

    public static bool IsSupported =>
        OperatingSystem.IsLinux()
        && Environment.Is64BitProcess
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>Turns on error reporting for the socket's family (both families on a dual-mode socket); false when refused.</summary>
    public static bool Enable(Socket socket)
    {
        if (!IsSupported)
        {
            return false;
        }

        var fd = (int)socket.SafeHandle.DangerousGetHandle();
        var on = 1;
        var ok = true;
        if (socket.AddressFamily == AddressFamily.InterNetworkV6)
        {
            ok = SetOption(fd, SolIpv6, Ipv6RecvErr, &on, sizeof(int)) == 0;
        }

        // IPv4 traffic on a dual-mode IPv6 socket is reported by the IPv4 code, which reads IP_RECVERR.
        if (socket.AddressFamily == AddressFamily.InterNetwork || socket.DualMode)
        {
            ok &= SetOption(fd, SolIp, IpRecvErr, &on, sizeof(int)) == 0;
        }

        return ok;
    }

    /// <summary>True for the socket errors an ICMP error produces on a later receive or send.</summary>
    public static bool IsIcmpError(SocketError error) =>
        error is SocketError.ConnectionRefused or SocketError.ConnectionReset or SocketError.HostUnreachable or SocketError.NetworkUnreachable;

    /// <summary>
    /// Reads every queued error without blocking and returns the destinations that are
    /// unreachable (port unreachable, host or network unreachable). Other errors (for example
    /// "fragmentation needed") are read and dropped.
    /// </summary>
    public static List<IPEndPoint> Drain(Socket socket)
    {
        var unreachable = new List<IPEndPoint>();
        if (!IsSupported)
        {
            return unreachable;
        }

        var added = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref added);
            var fd = (int)socket.SafeHandle.DangerousGetHandle();
            var name = stackalloc byte[128];
            var control = stackalloc byte[512];
            var data = stackalloc byte[64];
            // A few thousand at most: the queue is bounded by the socket's receive buffer.
            for (var i = 0; i < 4096; i++)
            {
                var vector = new IoVector { Base = data, Length = 64 };
                var header = new MessageHeader
                {
                    Name = name,
                    NameLength = 128,
                    Vectors = &vector,
                    VectorCount = 1,
                    Control = control,
                    ControlLength = 512,
                };
                if (ReceiveMessage(fd, &header, MsgErrQueue | MsgDontWait) < 0)
                {
                    break;
                }

                if (ErrorNumber(control, (int)header.ControlLength) is EConnRefused or EHostUnreach or ENetUnreach
                    && ReadAddress(name, (int)header.NameLength) is { } destination)
                {
                    unreachable.Add(destination);
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // Closed while draining: nothing left to report.
        }
        finally
        {
            if (added)
            {
                socket.SafeHandle.DangerousRelease();
            }
        }

        return unreachable;
    }

    /// <summary>ee_errno of the sock_extended_err in the IP_RECVERR / IPV6_RECVERR control message; 0 when none.</summary>
    private static int ErrorNumber(byte* control, int length)
    {
        // struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; } then data, 8-byte aligned.
        var offset = 0;
        while (offset + 16 <= length)
        {
            var cmsgLength = (int)*(ulong*)(control + offset);
            var level = *(int*)(control + offset + 8);
            var type = *(int*)(control + offset + 12);
            if (cmsgLength < 16 || offset + cmsgLength > length)
            {
                return 0;
            }

            if ((level == SolIp && type == IpRecvErr) || (level == SolIpv6 && type == Ipv6RecvErr))
            {
                return cmsgLength >= 20 ? *(int*)(control + offset + 16) : 0;
            }

            offset += (cmsgLength + 7) & ~7;
        }

        return 0;
    }

    /// <summary>The original destination (msg_name): sockaddr_in or sockaddr_in6; IPv4-mapped addresses are unmapped.</summary>
    private static IPEndPoint? ReadAddress(byte* name, int length)
    {
        var bytes = new ReadOnlySpan<byte>(name, Math.Min(length, 128));
        if (bytes.Length < 2)
        {
            return null;
        }

        var family = BinaryPrimitives.ReadUInt16LittleEndian(bytes);
        if (family == AfInet && bytes.Length >= 8)
        {
            return new IPEndPoint(new IPAddress(bytes.Slice(4, 4)), BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]));
        }

        if (family == AfInet6 && bytes.Length >= 24)
        {
            var address = new IPAddress(bytes.Slice(8, 16));
            return new IPEndPoint(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]));
        }

        return null;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVector
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Vectors;
        public nuint VectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int SetOption(int fd, int level, int name, void* value, uint length);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static partial nint ReceiveMessage(int fd, MessageHeader* message, int flags);
}
