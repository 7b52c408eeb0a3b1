using System.Runtime.InteropServices;

namespace OpenSma.Media.Rtp;

/// <summary>
/// The io_uring system calls and structures behind <see cref="TimedSendRing"/> (Linux 5.19 or later,
/// 64-bit). glibc has no wrappers, so the calls go through syscall(2); the numbers (425, 426) are
/// the same on every architecture. Layouts follow include/uapi/linux/io_uring.h.
/// </summary>
internal static unsafe partial class IoUringCalls
{
    public const long SysSetup = 425;
    public const long SysEnter = 426;

    // io_uring_params.flags
    public const uint SetupCqSize = 1u << 3;
    public const uint SetupSubmitAll = 1u << 7;

    // io_uring_params.features
    public const uint FeatureSingleMmap = 1u << 0;
    public const uint FeatureNoDrop = 1u << 1;

    // io_uring sq_ring flags
    public const uint SqCqOverflow = 1u << 1;

    // io_uring_enter flags
    public const uint EnterGetEvents = 1u << 0;

    public const long OffsetSqRing = 0;
    public const long OffsetSqes = 0x10000000;

    public const byte OpSendMessage = 9;
    public const byte OpTimeout = 11;

    // io_uring_sqe.flags
    public const byte SqeHardLink = 1 << 3;
    public const byte SqeSkipSuccess = 1 << 6;

    // io_uring_sqe.timeout_flags
    public const uint TimeoutAbsolute = 1u << 0;
    public const uint TimeoutElapsedIsSuccess = 1u << 5;

    public const int ProtectReadWrite = 0x1 | 0x2;
    public const int MapShared = 0x01;
    public const int MapPopulate = 0x8000;

    [StructLayout(LayoutKind.Sequential)]
    public struct SqRingOffsets
    {
        public uint Head;
        public uint Tail;
        public uint RingMask;
        public uint RingEntries;
        public uint Flags;
        public uint Dropped;
        public uint Array;
        public uint Reserved1;
        public ulong UserAddress;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct CqRingOffsets
    {
        public uint Head;
        public uint Tail;
        public uint RingMask;
        public uint RingEntries;
        public uint Overflow;
        public uint Cqes;
        public uint Flags;
        public uint Reserved1;
        public ulong UserAddress;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Parameters
    {
        public uint SqEntries;
        public uint CqEntries;
        public uint Flags;
        public uint SqThreadCpu;
        public uint SqThreadIdle;
        public uint Features;
        public uint WqFd;
        public uint Reserved0;
        public uint Reserved1;
        public uint Reserved2;
        public SqRingOffsets SqOffsets;
        public CqRingOffsets CqOffsets;
    }

    /// <summary>io_uring_sqe: 64 bytes.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    public struct SubmissionEntry
    {
        [FieldOffset(0)] public byte Opcode;
        [FieldOffset(1)] public byte Flags;
        [FieldOffset(2)] public ushort IoPriority;
        [FieldOffset(4)] public int Fd;
        [FieldOffset(8)] public ulong Offset;
        [FieldOffset(16)] public ulong Address;
        [FieldOffset(24)] public uint Length;
        [FieldOffset(28)] public uint OperationFlags;
        [FieldOffset(32)] public ulong UserData;
        [FieldOffset(40)] public ushort BufferIndex;
        [FieldOffset(42)] public ushort Personality;
        [FieldOffset(44)] public int SpliceFdIn;
        [FieldOffset(48)] public ulong Address3;
        [FieldOffset(56)] public ulong Pad;
    }

    /// <summary>io_uring_cqe: 16 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct CompletionEntry
    {
        public ulong UserData;
        public int Result;
        public uint Flags;
    }

    public static int Setup(uint entries, Parameters* parameters) =>
        (int)Syscall(SysSetup, entries, (long)parameters, 0, 0, 0, 0);

    /// <returns>SQEs consumed, or -1 with errno set.</returns>
    public static int Enter(int ring, uint toSubmit, uint minComplete, uint flags) =>
        (int)Syscall(SysEnter, ring, toSubmit, minComplete, flags, 0, 0);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial void* Map(void* address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static partial int Unmap(void* address, nuint length);
}
