using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using static OpenSma.Media.Rtp.IoUringCalls;

namespace OpenSma.Media.Rtp;

/// <summary>
/// Sends datagrams at a set time from the kernel, not from this process (io_uring, Linux): a media
/// clock that runs ahead of its grid (<see cref="Clock.MediaClockOptions.SendLead"/>) queues each
/// tick's packets here, and an absolute CLOCK_MONOTONIC timeout hard-linked to their sendmsg
/// requests sends them when the tick is due. A garbage collection or scheduling delay shorter than
/// the lead then moves nothing on the wire: the kernel runs the linked sends from the timer, while
/// the clock thread is suspended.
/// <para>
/// One ring per clock thread, used only by that thread. Each due time is one chain: a timeout, then
/// one sendmsg per datagram. The datagram, its msghdr, iovec and address are copied into a slot of a
/// native arena that is reused once the chain's last send completes (chains complete in order, as
/// their due times do). Only failed sends and each chain's last send post a completion.
/// </para>
/// <para>
/// A socket must stay open until the sends queued for it have left, or a reused descriptor would
/// receive them: <see cref="AfterQueuedSends"/> runs the close once every chain begun before it was
/// asked for has completed.
/// </para>
/// </summary>
internal sealed unsafe class TimedSendRing : IDisposable
{
    /// <summary>Largest datagram a slot holds; bigger ones are sent at once instead.</summary>
    public const int MaxDatagramBytes = 512;

    private const int SlotBytes = 640;
    private const int MessageOffset = MaxDatagramBytes;          // msghdr, 56 bytes
    private const int VectorOffset = MessageOffset + 56;         // iovec, 16 bytes
    private const int AddressOffset = VectorOffset + 16;         // sockaddr, up to 28 bytes (AF_INET6)
    private const int TimeOffset = AddressOffset + 32;           // __kernel_timespec, 16 bytes
    private const int MaxAddressBytes = 32;
    private const ulong LastOfChain = 1UL << 63;

    [ThreadStatic]
    private static TimedSendRing? t_open;

    private static long s_queued;
    private static long s_immediate;
    private static long s_failed;

    private readonly int _fd;
    private readonly byte* _rings;
    private readonly nuint _ringsLength;
    private readonly SubmissionEntry* _sqes;
    private readonly nuint _sqesLength;
    private readonly uint* _sqTail;
    private readonly uint* _sqHead;
    private readonly uint _sqMask;
    private readonly uint _sqEntries;
    private readonly uint* _cqHead;
    private readonly uint* _cqTail;
    private readonly uint _cqMask;
    private readonly CompletionEntry* _cqes;
    private readonly byte* _arena;
    private readonly int _slotCount;
    private readonly Chain[] _chains;
    private readonly ConcurrentQueue<Action> _incoming = new();
    private readonly Queue<(long Chain, Action Action)> _deferred = new();
    private uint _sqLocalTail;
    private uint _unsubmitted;
    private long _slotHead;       // next slot to fill (monotonic; slot index = value % count)
    private long _slotTail;       // first slot still in use
    private long _begun;          // chains begun (the open one included)
    private long _completed;      // chains completed, in order
    private long _dueTimestamp;
    private bool _chainOpen;
    private SubmissionEntry* _lastSend;
    private bool _disposed;

    private TimedSendRing(int fd, Parameters parameters, byte* rings, nuint ringsLength, SubmissionEntry* sqes, nuint sqesLength, int slots)
    {
        _fd = fd;
        _rings = rings;
        _ringsLength = ringsLength;
        _sqes = sqes;
        _sqesLength = sqesLength;
        _sqHead = (uint*)(rings + parameters.SqOffsets.Head);
        _sqTail = (uint*)(rings + parameters.SqOffsets.Tail);
        _sqMask = *(uint*)(rings + parameters.SqOffsets.RingMask);
        _sqEntries = *(uint*)(rings + parameters.SqOffsets.RingEntries);
        _cqHead = (uint*)(rings + parameters.CqOffsets.Head);
        _cqTail = (uint*)(rings + parameters.CqOffsets.Tail);
        _cqMask = *(uint*)(rings + parameters.CqOffsets.RingMask);
        _cqes = (CompletionEntry*)(rings + parameters.CqOffsets.Cqes);
        var array = (uint*)(rings + parameters.SqOffsets.Array);
        for (uint i = 0; i < _sqEntries; i++)
        {
            array[i] = i;
        }

        _sqLocalTail = *_sqTail;
        _slotCount = slots;
        _arena = (byte*)NativeMemory.AlignedAlloc((nuint)(slots * SlotBytes), 64);
        NativeMemory.Clear(_arena, (nuint)(slots * SlotBytes));
        _chains = new Chain[slots];
    }

    /// <summary>Datagrams queued for a timed send, in every ring of the process.</summary>
    public static long QueuedTotal => Interlocked.Read(ref s_queued);

    /// <summary>Datagrams a ring could not take (arena or ring full, too big) and that were sent at once instead.</summary>
    public static long ImmediateTotal => Interlocked.Read(ref s_immediate);

    /// <summary>Timed sends the kernel reported as failed (for example a full socket buffer).</summary>
    public static long FailedTotal => Interlocked.Read(ref s_failed);

    /// <summary>The ring whose chain is open on the calling thread (a media clock delivering a due time), or null.</summary>
    public static TimedSendRing? OpenOnThisThread => t_open;

    /// <summary>
    /// How long before it leaves a datagram queued now on this thread's open chain will wait (zero
    /// with no open chain): a sender report stamps its NTP time for when it reaches the wire.
    /// </summary>
    public static TimeSpan AheadOfNow()
    {
        if (t_open is not { } ring)
        {
            return TimeSpan.Zero;
        }

        var ahead = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), ring._dueTimestamp);
        return ahead > TimeSpan.Zero ? ahead : TimeSpan.Zero;
    }

    /// <summary>Chains begun, for tests.</summary>
    public long ChainsBegun => _begun;

    /// <summary>Chains whose sends have all completed, for tests.</summary>
    public long ChainsCompleted => Volatile.Read(ref _completed);

    /// <summary>
    /// A ring for the calling thread, or null where io_uring is not available (not Linux, an old
    /// kernel, io_uring disabled by sysctl or seccomp) or the Stopwatch is not CLOCK_MONOTONIC.
    /// </summary>
    /// <param name="slots">Datagrams that can be queued at once: at least the streams one clock thread sends for, times the lead in ticks plus one.</param>
    public static TimedSendRing? TryCreate(int slots, out string? error)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 64);
        if (!LinuxSocketCalls.IsSupported || !Clock.MediaClock.TimestampIsMonotonicNanoseconds)
        {
            error = "timed sends need 64-bit Linux with a nanosecond CLOCK_MONOTONIC Stopwatch";
            return null;
        }

        var sqEntries = (uint)Math.Min(4096, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)slots));
        Parameters parameters = default;
        parameters.Flags = SetupCqSize | SetupSubmitAll;
        parameters.CqEntries = (uint)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)slots) * 2;
        var fd = Setup(sqEntries, &parameters);
        if (fd < 0)
        {
            error = $"io_uring_setup failed (errno {Marshal.GetLastPInvokeError()})";
            return null;
        }

        if ((parameters.Features & FeatureSingleMmap) == 0)
        {
            _ = LinuxSocketCalls.Close(fd);
            error = "io_uring without IORING_FEAT_SINGLE_MMAP (kernel older than 5.4)";
            return null;
        }

        var ringsLength = (nuint)Math.Max(
            parameters.SqOffsets.Array + (parameters.SqEntries * sizeof(uint)),
            parameters.CqOffsets.Cqes + (parameters.CqEntries * (uint)sizeof(CompletionEntry)));
        var rings = (byte*)Map(null, ringsLength, ProtectReadWrite, MapShared | MapPopulate, fd, OffsetSqRing);
        if (rings == (byte*)-1)
        {
            error = $"mmap of the io_uring rings failed (errno {Marshal.GetLastPInvokeError()})";
            _ = LinuxSocketCalls.Close(fd);
            return null;
        }

        var sqesLength = (nuint)(parameters.SqEntries * (uint)sizeof(SubmissionEntry));
        var sqes = (SubmissionEntry*)Map(null, sqesLength, ProtectReadWrite, MapShared | MapPopulate, fd, OffsetSqes);
        if (sqes == (SubmissionEntry*)-1)
        {
            error = $"mmap of the io_uring submission entries failed (errno {Marshal.GetLastPInvokeError()})";
            _ = Unmap(rings, ringsLength);
            _ = LinuxSocketCalls.Close(fd);
            return null;
        }

        error = null;
        return new TimedSendRing(fd, parameters, rings, ringsLength, sqes, sqesLength, slots);
    }

    /// <summary>Opens a chain: the datagrams added until <see cref="EndChain"/> leave at <paramref name="dueTimestamp"/> (a Stopwatch timestamp).</summary>
    public void BeginChain(long dueTimestamp)
    {
        _dueTimestamp = dueTimestamp;
        _chainOpen = false;
        t_open = this;
    }

    /// <summary>
    /// Queues one datagram for the open chain's due time. False when it cannot be queued (no open
    /// chain, too big, ring or arena full): the caller sends it at once.
    /// </summary>
    public bool TryAdd(int fd, ReadOnlySpan<byte> datagram, SocketAddress destination)
    {
        if (_disposed || t_open != this || datagram.Length > MaxDatagramBytes || destination.Size > MaxAddressBytes)
        {
            Interlocked.Increment(ref s_immediate);
            return false;
        }

        // A new chain needs its timeout too: two entries, and the arena slot.
        var needed = _chainOpen ? 1u : 2u;
        if (_slotHead - _slotTail >= _slotCount - 1)
        {
            Reap();
            if (_slotHead - _slotTail >= _slotCount - 1)
            {
                Interlocked.Increment(ref s_immediate);
                return false;
            }
        }

        if (_sqLocalTail - Volatile.Read(ref *_sqHead) + needed > _sqEntries)
        {
            // The submission ring is full: close this chain, hand everything to the kernel and go on
            // in a new chain with the same due time.
            CloseChain();
            Submit();
            needed = 2;
            if (_sqLocalTail - Volatile.Read(ref *_sqHead) + needed > _sqEntries)
            {
                Interlocked.Increment(ref s_immediate);
                return false;
            }
        }

        var slot = _arena + ((nint)(_slotHead % _slotCount) * SlotBytes);
        if (!_chainOpen)
        {
            OpenChain(slot);
        }

        datagram.CopyTo(new Span<byte>(slot, MaxDatagramBytes));
        destination.Buffer.Span[..destination.Size].CopyTo(new Span<byte>(slot + AddressOffset, MaxAddressBytes));
        var vector = (LinuxSocketCalls.IoVector*)(slot + VectorOffset);
        vector->Base = slot;
        vector->Length = (nuint)datagram.Length;
        var message = (LinuxSocketCalls.MessageHeader*)(slot + MessageOffset);
        *message = default;
        message->Name = slot + AddressOffset;
        message->NameLength = (uint)destination.Size;
        message->Vectors = vector;
        message->VectorCount = 1;

        var sqe = NextEntry();
        sqe->Opcode = OpSendMessage;
        sqe->Flags = SqeHardLink | SqeSkipSuccess;
        sqe->Fd = fd;
        sqe->Address = (ulong)message;
        sqe->Length = 1;
        sqe->OperationFlags = LinuxSocketCalls.MsgDontWait;
        sqe->UserData = (ulong)(_begun - 1);
        _lastSend = sqe;
        _chains[(int)((_begun - 1) % _chains.Length)].Slots++;
        _slotHead++;
        return true;
    }

    /// <summary>Closes the open chain; its entries reach the kernel at the next <see cref="Submit"/>.</summary>
    public void EndChain()
    {
        CloseChain();
        t_open = null;
    }

    /// <summary>Hands the queued entries to the kernel (one io_uring_enter) and collects completions.</summary>
    public void Submit()
    {
        if (_unsubmitted > 0 && !_disposed)
        {
            Volatile.Write(ref *_sqTail, _sqLocalTail);
            var submitted = Enter(_fd, _unsubmitted, 0, 0);
            if (submitted > 0)
            {
                _unsubmitted -= (uint)Math.Min(submitted, (int)_unsubmitted);
            }
        }

        Reap();
    }

    /// <summary>
    /// Runs <paramref name="action"/> (on the thread pool) once every send queued on this ring
    /// before now has left; at once when the ring is disposed. Callable from any thread.
    /// </summary>
    public void AfterQueuedSends(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        _incoming.Enqueue(action);
        if (Volatile.Read(ref _disposed))
        {
            RunDeferred(all: true);
        }
    }

    /// <summary>Collects completions: frees the arena slots of finished chains and runs the closes they were holding back.</summary>
    public void Reap()
    {
        if (_disposed)
        {
            return;
        }

        var head = *_cqHead;
        var tail = Volatile.Read(ref *_cqTail);
        while (head != tail)
        {
            var cqe = _cqes[head & _cqMask];
            var chain = (long)(cqe.UserData & ~LastOfChain);
            if (cqe.Result < 0 && cqe.Result != -62)
            {
                // -62 is ETIME from a timeout; anything else is a send that failed.
                Interlocked.Increment(ref s_failed);
            }

            if ((cqe.UserData & LastOfChain) != 0)
            {
                _chains[(int)(chain % _chains.Length)].Done = true;
            }

            head++;
        }

        Volatile.Write(ref *_cqHead, head);
        var completed = _completed;
        while (completed < _begun)
        {
            ref var entry = ref _chains[(int)(completed % _chains.Length)];
            if (!entry.Done)
            {
                break;
            }

            _slotTail += entry.Slots;
            entry = default;
            completed++;
        }

        Volatile.Write(ref _completed, completed);
        RunDeferred(all: false);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        if (t_open == this)
        {
            EndChain();
        }

        // Let what is queued leave (at most the lead, plus the kernel's own delay): the kernel cancels
        // the rest only after the ring is closed, asynchronously, and a send it still ran would read
        // its msghdr from the arena. If something is still queued after that wait, the arena is
        // left allocated rather than freed under the kernel.
        Submit();
        var deadline = Stopwatch.GetTimestamp() + (2 * Stopwatch.Frequency);
        while (_completed < _begun && Stopwatch.GetTimestamp() < deadline)
        {
            Thread.Sleep(1);
            Reap();
        }

        var drained = _completed == _begun;
        Volatile.Write(ref _disposed, true);
        _ = Unmap(_sqes, _sqesLength);
        _ = Unmap(_rings, _ringsLength);
        _ = LinuxSocketCalls.Close(_fd);
        if (drained)
        {
            NativeMemory.AlignedFree(_arena);
        }

        RunDeferred(all: true);
    }

    private void OpenChain(byte* slot)
    {
        _chainOpen = true;
        _begun++;
        _chains[(int)((_begun - 1) % _chains.Length)] = default;
        var time = (LinuxSocketCalls.TimeSpec*)(slot + TimeOffset);
        time->Seconds = _dueTimestamp / 1_000_000_000;
        time->Nanoseconds = _dueTimestamp % 1_000_000_000;
        var sqe = NextEntry();
        sqe->Opcode = OpTimeout;
        sqe->Flags = SqeHardLink | SqeSkipSuccess;
        sqe->Fd = -1;
        sqe->Address = (ulong)time;
        sqe->Length = 1;
        sqe->Offset = 0;
        sqe->OperationFlags = TimeoutAbsolute | TimeoutElapsedIsSuccess;
        sqe->UserData = (ulong)(_begun - 1);
    }

    private void CloseChain()
    {
        if (!_chainOpen)
        {
            return;
        }

        // The last send ends the chain and always reports, so the chain's slots can be freed.
        Interlocked.Add(ref s_queued, _chains[(int)((_begun - 1) % _chains.Length)].Slots);
        _lastSend->Flags = 0;
        _lastSend->UserData |= LastOfChain;
        _chainOpen = false;
        _lastSend = null;
    }

    private SubmissionEntry* NextEntry()
    {
        var sqe = _sqes + (_sqLocalTail & _sqMask);
        *sqe = default;
        _sqLocalTail++;
        _unsubmitted++;
        return sqe;
    }

    private void RunDeferred(bool all)
    {
        // Stamp new requests with the chains begun so far: a send racing the request is in one of those.
        lock (_deferred)
        {
            while (_incoming.TryDequeue(out var action))
            {
                _deferred.Enqueue((_begun, action));
            }

            while (_deferred.TryPeek(out var next) && (all || next.Chain <= Volatile.Read(ref _completed)))
            {
                _deferred.Dequeue();
                ThreadPool.UnsafeQueueUserWorkItem(static a => a(), next.Action, preferLocal: false);
            }
        }
    }

    private struct Chain
    {
        public int Slots;
        public bool Done;
    }
}
