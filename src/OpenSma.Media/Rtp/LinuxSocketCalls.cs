using System.Runtime.InteropServices;

namespace OpenSma.Media.Rtp;

/// <summary>
/// The libc calls behind <see cref="MediaSocketEngine"/> (64-bit Linux): epoll for readiness,
/// recvmmsg to take every queued datagram of a socket in one call (with each datagram's kernel
/// receive time as an SCM_TIMESTAMPNS control message), sendto without the managed socket layer,
/// clock_gettime to relate that receive time to the Stopwatch. Structures follow the 64-bit Linux ABI.
/// </summary>
internal static unsafe partial class LinuxSocketCalls
{
    public const int EpollCloexec = 0x80000;
    public const int EpollCtlAdd = 1;
    public const int EpollCtlDel = 2;
    public const uint EpollIn = 0x001;
    public const int MsgDontWait = 0x40;
    public const int ClockRealtime = 0;

    /// <summary>SOL_SOCKET and SO_TIMESTAMPNS (= the cmsg type SCM_TIMESTAMPNS) on x86-64 and arm64 Linux.</summary>
    public const int SolSocket = 1;
    public const int SoTimestampNs = 35;

    /// <summary>epoll_event is packed (12 bytes) on x86-64 and naturally aligned (16 bytes) elsewhere.</summary>
    public static readonly int EpollEventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    public static readonly int EpollDataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    public static bool IsSupported =>
        OperatingSystem.IsLinux()
        && Environment.Is64BitProcess
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVector
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Vectors;
        public nuint VectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MultiMessageHeader
    {
        public MessageHeader Header;
        public uint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime", SetLastError = false)]
    public static partial int ClockGetTime(int clock, TimeSpec* time);

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    public static partial int EpollControl(int epoll, int operation, int fd, byte* epollEvent);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epoll, byte* events, int maxEvents, int timeoutMilliseconds);

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    public static partial int ReceiveMultiple(int fd, MultiMessageHeader* messages, uint count, int flags, void* timeout);

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    public static partial nint SendTo(int fd, byte* buffer, nuint length, int flags, byte* address, uint addressLength);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    public static void WriteEpollEvent(byte* target, uint events, ulong data)
    {
        *(uint*)target = events;
        *(ulong*)(target + EpollDataOffset) = data;
    }

    public static ulong ReadEpollData(byte* events, int index) =>
        *(ulong*)(events + (index * EpollEventSize) + EpollDataOffset);
}
