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
/// one sendmsg per datagram. The datagram, its msghdr, iovec, address and the chain's timespec are
/// copied into an entry of a native arena, a ring of bytes: a 120-byte header and the datagram,
/// rounded up to 64 bytes (320 bytes for a 172-byte G.711 packet). Entries are taken in order and
/// released in order: a chain's bytes once it and every chain begun before it have completed
/// (chains due within a tick complete out of order). Only failed sends and each chain's last send
/// post a completion.
/// </para>
/// <para>
/// The arena grows on demand: when an entry does not fit, a new arena twice the size (up to
/// <see cref="MaxArenaBytes"/>) takes every new entry, the open chain's entries (not yet handed to
/// the kernel) move into it, and the old arena is freed once the chains that use it have completed,
/// since until then the kernel may read it. Steady state then allocates nothing.
/// </para>
/// <para>
/// A socket must stay open until the sends queued for it have left, or a reused descriptor would
/// receive them: <see cref="AfterQueuedSends"/> runs the close once every chain begun before it was
/// asked for has completed.
/// </para>
/// </summary>
internal sealed unsafe class TimedSendRing : IDisposable
{
    /// <summary>Largest datagram the ring takes (as large as any media datagram); bigger ones are sent at once instead.</summary>
    public const int MaxDatagramBytes = RtpPacket.MaxDatagramBytes;

    /// <summary>The smallest initial arena, in slots (<see cref="TryCreate"/>).</summary>
    public const int MinSlots = 64;

    /// <summary>Arena bytes per initial slot: the entry of a datagram of up to 200 bytes.</summary>
    public const int SlotBytes = 320;

    /// <summary>The largest arena a ring grows to (about 200,000 queued G.711 packets); beyond it datagrams are sent at once.</summary>
    public const long MaxArenaBytes = 64L << 20;

    // An entry: msghdr (56 bytes), iovec (16), sockaddr (up to 28, AF_INET6), the chain's
    // __kernel_timespec (16, used in its first entry), then the datagram.
    private const int VectorOffset = 56;
    private const int AddressOffset = VectorOffset + 16;
    private const int TimeOffset = AddressOffset + 32;
    private const int DataOffset = TimeOffset + 16;
    private const int EntryAlignment = 64;
    private const int MaxAddressBytes = 32;
    private const uint SubmissionEntries = 4096;
    private const uint CompletionEntries = 2 * SubmissionEntries;
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
    private readonly uint* _sqFlags;
    private readonly uint _sqMask;
    private readonly uint _sqEntries;
    private readonly uint* _cqHead;
    private readonly uint* _cqTail;
    private readonly uint _cqMask;
    private readonly CompletionEntry* _cqes;
    private readonly List<Arena> _arenas = new(32); // oldest first; the last takes new entries
    private readonly ConcurrentQueue<Action> _incoming = new();
    private readonly Queue<(long Chain, Action Action)> _deferred = new();
    private Arena _arena;
    private Chain[] _chains = new Chain[256];  // chains in flight, by number modulo the length (a power of two)
    private uint _sqLocalTail;
    private uint _unsubmitted;
    private uint _openFirstEntry;  // the open chain's timeout, in the submission ring
    private uint _openEntries;     // submission entries of the open chain (held back from the kernel until it ends)
    private long _openStart;       // where the open chain's bytes begin in the current arena
    private long _begun;           // chains begun (the open one included)
    private long _completed;       // chains completed, in order
    private long _dueTimestamp;
    private bool _chainOpen;
    private SubmissionEntry* _lastSend;
    private int _growths;
    private bool _disposed;

    private TimedSendRing(int fd, Parameters parameters, byte* rings, nuint ringsLength, SubmissionEntry* sqes, nuint sqesLength, long arenaBytes)
    {
        _fd = fd;
        _rings = rings;
        _ringsLength = ringsLength;
        _sqes = sqes;
        _sqesLength = sqesLength;
        _sqHead = (uint*)(rings + parameters.SqOffsets.Head);
        _sqTail = (uint*)(rings + parameters.SqOffsets.Tail);
        _sqFlags = (uint*)(rings + parameters.SqOffsets.Flags);
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
        _arena = new Arena(arenaBytes);
        _arenas.Add(_arena);
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

    /// <summary>Size of the arena new entries go to, for tests.</summary>
    internal long ArenaBytes => _arena.Size;

    /// <summary>Times the arena has grown, for tests.</summary>
    internal int ArenaGrowths => _growths;

    /// <summary>Arenas still allocated (the current one and older ones the kernel may still read), for tests.</summary>
    internal int ArenasHeld => _arenas.Count;

    /// <summary>
    /// A ring for the calling thread, or null where io_uring is not available (not Linux, an old
    /// kernel, io_uring disabled by sysctl or seccomp) or the Stopwatch is not CLOCK_MONOTONIC.
    /// </summary>
    /// <param name="slots">
    /// The arena's initial size, in datagrams of up to 200 bytes (<see cref="SlotBytes"/> each);
    /// it grows when more are queued at once, to at most <see cref="MaxArenaBytes"/>.
    /// </param>
    public static TimedSendRing? TryCreate(int slots, out string? error)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, MinSlots);
        if (!LinuxSocketCalls.IsSupported || !Clock.MediaClock.TimestampIsMonotonicNanoseconds)
        {
            error = "timed sends need 64-bit Linux with a nanosecond CLOCK_MONOTONIC Stopwatch";
            return null;
        }

        // Fixed sizes, whatever the arena's: a full submission ring is handed to the kernel at once,
        // and completions beyond the completion ring wait in the kernel's overflow list (see Reap).
        Parameters parameters = default;
        parameters.Flags = SetupCqSize | SetupSubmitAll;
        parameters.CqEntries = CompletionEntries;
        var fd = Setup(SubmissionEntries, &parameters);
        if (fd < 0)
        {
            error = $"io_uring_setup failed (errno {Marshal.GetLastPInvokeError()})";
            return null;
        }

        if ((parameters.Features & FeatureSingleMmap) == 0 || (parameters.Features & FeatureNoDrop) == 0)
        {
            _ = LinuxSocketCalls.Close(fd);
            error = "io_uring without IORING_FEAT_SINGLE_MMAP or IORING_FEAT_NODROP (kernel older than 5.5)";
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
        return new TimedSendRing(fd, parameters, rings, ringsLength, sqes, sqesLength, Math.Min((long)slots * SlotBytes, MaxArenaBytes));
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
    /// chain, too big, ring full, arena full at <see cref="MaxArenaBytes"/>): the caller sends it at once.
    /// </summary>
    public bool TryAdd(int fd, ReadOnlySpan<byte> datagram, SocketAddress destination)
    {
        if (_disposed || t_open != this || datagram.Length > MaxDatagramBytes || destination.Size > MaxAddressBytes)
        {
            Interlocked.Increment(ref s_immediate);
            return false;
        }

        // A new chain needs its timeout too: two entries.
        var needed = _chainOpen ? 1u : 2u;
        if (_sqLocalTail - Volatile.Read(ref *_sqHead) + needed > _sqEntries)
        {
            // The submission ring is full: close this chain, hand everything to the kernel and go on
            // in a new chain with the same due time.
            CloseChain();
            Submit();
            if (_sqLocalTail - Volatile.Read(ref *_sqHead) + 2 > _sqEntries)
            {
                Interlocked.Increment(ref s_immediate);
                return false;
            }
        }

        var entryBytes = EntryBytes(datagram.Length);
        var entry = _arena.Reserve(entryBytes, out var taken);
        if (entry is null)
        {
            Reap();
            entry = _arena.Reserve(entryBytes, out taken);
            if (entry is null)
            {
                if (!Grow(entryBytes))
                {
                    Interlocked.Increment(ref s_immediate);
                    return false;
                }

                entry = _arena.Reserve(entryBytes, out taken);
            }
        }

        if (!_chainOpen)
        {
            OpenChain(entry);
            _openStart = _arena.Head - taken;
        }

        datagram.CopyTo(new Span<byte>(entry + DataOffset, datagram.Length));
        destination.Buffer.Span[..destination.Size].CopyTo(new Span<byte>(entry + AddressOffset, MaxAddressBytes));
        var message = (LinuxSocketCalls.MessageHeader*)entry;
        *message = default;
        message->NameLength = (uint)destination.Size;
        message->VectorCount = 1;
        Point(entry, datagram.Length);

        var sqe = NextEntry();
        sqe->Opcode = OpSendMessage;
        sqe->Flags = SqeHardLink | SqeSkipSuccess;
        sqe->Fd = fd;
        sqe->Address = (ulong)message;
        sqe->Length = 1;
        sqe->OperationFlags = LinuxSocketCalls.MsgDontWait;
        sqe->UserData = (ulong)(_begun - 1);
        _lastSend = sqe;
        _openEntries++;
        ref var chain = ref OpenChainRecord;
        chain.Datagrams++;
        chain.Bytes += taken;
        return true;
    }

    /// <summary>Closes the open chain; its entries reach the kernel at the next <see cref="Submit"/>.</summary>
    public void EndChain()
    {
        CloseChain();
        t_open = null;
    }

    /// <summary>
    /// Hands the entries of the closed chains to the kernel (one io_uring_enter) and collects
    /// completions. An open chain's entries wait for its end.
    /// </summary>
    public void Submit()
    {
        var ready = _unsubmitted - _openEntries;
        if (ready > 0 && !_disposed)
        {
            Volatile.Write(ref *_sqTail, _sqLocalTail - _openEntries);
            var submitted = Enter(_fd, ready, 0, 0);
            if (submitted > 0)
            {
                _unsubmitted -= (uint)Math.Min(submitted, (int)ready);
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

    /// <summary>
    /// Collects completions: releases the arena bytes of finished chains, frees an old arena once
    /// none of its chains is left, and runs the closes they were holding back.
    /// </summary>
    public void Reap()
    {
        if (_disposed)
        {
            return;
        }

        for (var flushes = 0; ; flushes++)
        {
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
                    _chains[chain & (_chains.Length - 1)].Done = true;
                }

                head++;
            }

            Volatile.Write(ref *_cqHead, head);

            // More completions than the completion ring holds (many short chains) wait in the
            // kernel's overflow list; io_uring_enter with GETEVENTS moves them into the ring.
            if ((Volatile.Read(ref *_sqFlags) & SqCqOverflow) == 0 || flushes == 8)
            {
                break;
            }

            _ = Enter(_fd, 0, 0, EnterGetEvents);
        }

        var completed = _completed;
        while (completed < _begun)
        {
            ref var entry = ref _chains[completed & (_chains.Length - 1)];
            if (!entry.Done)
            {
                break;
            }

            var arena = entry.Arena!;
            arena.Tail += entry.Bytes;
            if (arena != _arena && arena.Tail == arena.Head)
            {
                // An old arena none of whose chains is left: the kernel holds no pointer into it.
                Release(arena);
            }

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
        // its msghdr from an arena. If something is still queued after that wait, the arenas are
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
            while (_arenas.Count > 0)
            {
                Release(_arenas[^1]);
            }
        }

        RunDeferred(all: true);
    }

    private static int EntryBytes(int datagramLength) => (DataOffset + datagramLength + EntryAlignment - 1) & ~(EntryAlignment - 1);

    // Points an entry's msghdr at its address and iovec, and the iovec at its datagram.
    private static void Point(byte* entry, int datagramLength)
    {
        var vector = (LinuxSocketCalls.IoVector*)(entry + VectorOffset);
        vector->Base = entry + DataOffset;
        vector->Length = (nuint)datagramLength;
        var message = (LinuxSocketCalls.MessageHeader*)entry;
        message->Name = entry + AddressOffset;
        message->Vectors = vector;
    }

    private ref Chain OpenChainRecord => ref _chains[(_begun - 1) & (_chains.Length - 1)];

    private void OpenChain(byte* firstEntry)
    {
        if (_begun - _completed >= _chains.Length)
        {
            GrowChains();
        }

        _chainOpen = true;
        _begun++;
        OpenChainRecord = new Chain { Arena = _arena };
        _openFirstEntry = _sqLocalTail;
        _openEntries = 1;
        var time = (LinuxSocketCalls.TimeSpec*)(firstEntry + TimeOffset);
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

        // The last send ends the chain and always reports, so the chain's bytes can be released.
        Interlocked.Add(ref s_queued, OpenChainRecord.Datagrams);
        _lastSend->Flags = 0;
        _lastSend->UserData |= LastOfChain;
        _chainOpen = false;
        _openEntries = 0;
        _lastSend = null;
    }

    // Makes a new arena, twice the size (or more, for a very long open chain), the one new entries go
    // to; moves the open chain into it. False at the size limit.
    private bool Grow(int entryBytes)
    {
        var old = _arena;
        var openBytes = _chainOpen ? old.Head - _openStart : 0;
        var size = old.Size * 2;
        while (size < 2 * (openBytes + entryBytes))
        {
            size *= 2;
        }

        if (size > MaxArenaBytes)
        {
            if (old.Size >= MaxArenaBytes || openBytes + entryBytes > MaxArenaBytes)
            {
                return false;
            }

            size = MaxArenaBytes;
        }

        var arena = new Arena(size);
        _arenas.Add(arena);
        _arena = arena;
        _growths++;
        if (_chainOpen)
        {
            MoveOpenChain(old, arena);
        }

        if (old.Tail == old.Head)
        {
            Release(old);
        }

        return true;
    }

    // The open chain's entries have not reached the kernel (Submit holds them back): copy them into
    // the new arena, point their msghdr, iovec and timeout there, and give the old arena their bytes back.
    private void MoveOpenChain(Arena old, Arena arena)
    {
        ref var chain = ref OpenChainRecord;
        var timeout = _sqes + (_openFirstEntry & _sqMask);
        long bytes = 0;
        for (var index = _openFirstEntry + 1; index != _sqLocalTail; index++)
        {
            var sqe = _sqes + (index & _sqMask);
            var from = (byte*)sqe->Address;
            var length = (int)((LinuxSocketCalls.IoVector*)(from + VectorOffset))->Length;
            var entryBytes = EntryBytes(length);
            var to = arena.Reserve(entryBytes, out var taken);
            Buffer.MemoryCopy(from, to, entryBytes, entryBytes);
            Point(to, length);
            sqe->Address = (ulong)to;
            if (index == _openFirstEntry + 1)
            {
                timeout->Address = (ulong)(to + TimeOffset);
            }

            bytes += taken;
        }

        old.Head = _openStart;
        chain.Arena = arena;
        chain.Bytes = bytes;
        _openStart = 0;
    }

    private void Release(Arena arena)
    {
        _ = _arenas.Remove(arena);
        arena.Free();
    }

    private void GrowChains()
    {
        var chains = new Chain[_chains.Length * 2];
        for (var chain = _completed; chain < _begun; chain++)
        {
            chains[chain & (chains.Length - 1)] = _chains[chain & (_chains.Length - 1)];
        }

        _chains = chains;
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
        // Not while this thread delivers a due time (a reap from TryAdd): a session that passed its
        // disposed check before the close was asked for may still queue into a chain not yet begun.
        // The reap after the delivery (Submit) stamps them.
        lock (_deferred)
        {
            while ((all || t_open != this) && _incoming.TryDequeue(out var action))
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
        public Arena? Arena;
        public long Bytes;
        public int Datagrams;
        public bool Done;
    }

    /// <summary>
    /// Native memory for entries, a ring of bytes: Head and Tail count bytes taken and released
    /// (an entry that would cross the end starts over at the beginning and takes the rest of the
    /// arena with it).
    /// </summary>
    private sealed class Arena(long size)
    {
        public readonly byte* Memory = (byte*)NativeMemory.AlignedAlloc((nuint)size, EntryAlignment);
        public readonly long Size = size;
        public long Head;
        public long Tail;

        public byte* Reserve(int bytes, out int taken)
        {
            var offset = Head % Size;
            var skipped = offset + bytes > Size ? Size - offset : 0;
            if (Head - Tail + skipped + bytes > Size)
            {
                taken = 0;
                return null;
            }

            taken = (int)(skipped + bytes);
            Head += taken;
            return Memory + (skipped == 0 ? offset : 0);
        }

        public void Free() => NativeMemory.AlignedFree(Memory);
    }
}
