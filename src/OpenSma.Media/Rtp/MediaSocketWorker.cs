using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OpenSma.Media.Clock;
using System.Runtime.InteropServices;
using static OpenSma.Media.Rtp.LinuxSocketCalls;

namespace OpenSma.Media.Rtp;

/// <summary>
/// One receive thread of a <see cref="MediaSocketEngine"/>: an epoll set of sockets (level
/// triggered), drained with recvmmsg into native buffers, each datagram handed to its leg on this
/// thread. After each wake-up the thread sleeps to the next poll boundary (every
/// <see cref="MediaSocketEngine.PollInterval"/>) before waiting again, so datagrams that arrive
/// spread over a tick are taken in batches: a thread that woke for every datagram would pay a
/// context switch per packet. A socket's handle is referenced around every call on it, so a leg closing its socket
/// meanwhile cannot make the descriptor number point at someone else's socket. Every socket gets
/// SO_TIMESTAMPNS, and each datagram goes to its leg with the kernel's receive time (converted to
/// the Stopwatch by <see cref="KernelReceiveTime"/>): a datagram that waited in the socket buffer
/// while this thread was paused (a GC, a late wake-up) still carries when it arrived. Without the
/// control message the time recvmmsg returned stands in.
/// </summary>
internal sealed unsafe class MediaSocketWorker
{
    private const int MaxEvents = 256;
    private const int Batch = 8;
    private const int BufferBytes = 2048;
    private const int AddressBytes = 128;
    private const int StopCheckMilliseconds = 200;
    private const int AfInet = 2;
    private const int AfInet6 = 10;
    private const int ControlBytes = KernelReceiveTime.ControlBytes;

    private readonly Lock _gate = new();
    private readonly int _epoll;
    private readonly Thread _thread;
    private readonly long _pollInterval;
    private readonly ManualResetEventSlim _stop = new();
    private readonly Stack<int> _freeIndexes = new();
    private readonly KernelReceiveTime _kernelTime = new();
    private MediaSocketRegistration?[] _table = new MediaSocketRegistration?[64];
    private int _used;
    private volatile bool _stopping;
    private bool _closed;
    private long _systemCalls;
    private long _datagrams;
    private long _wakeups;
    private long _kernelTimestamps;

    public MediaSocketWorker(int number, TimeSpan pollInterval)
    {
        _pollInterval = (long)(pollInterval.Ticks * (Stopwatch.Frequency / (double)TimeSpan.TicksPerSecond));
        _epoll = EpollCreate(EpollCloexec);
        if (_epoll < 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }

        _thread = new Thread(Run) { IsBackground = true, Name = $"OpenSMA media receive {number}", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    public long SystemCalls => Interlocked.Read(ref _systemCalls);

    public long DatagramsReceived => Interlocked.Read(ref _datagrams);

    public long Wakeups => Interlocked.Read(ref _wakeups);

    /// <summary>Datagrams delivered with the kernel's receive time (the rest carry when recvmmsg returned).</summary>
    public long KernelTimestamps => Interlocked.Read(ref _kernelTimestamps);

    public MediaSocketRegistration? Add(Socket socket, IMediaTransportReceiver receiver, bool rtcp)
    {
        var handle = socket.SafeHandle;
        EnableReceiveTimestamps(socket);
        lock (_gate)
        {
            var index = _freeIndexes.Count > 0 ? _freeIndexes.Pop() : _used++;
            if (index >= _table.Length)
            {
                var grown = new MediaSocketRegistration?[_table.Length * 2];
                _table.CopyTo(grown, 0);
                Volatile.Write(ref _table, grown);
            }

            var registration = new MediaSocketRegistration(this, index, handle, receiver, rtcp);
            _table[index] = registration;
            if (Control(EpollCtlAdd, registration))
            {
                return registration;
            }

            _table[index] = null;
            _freeIndexes.Push(index);
            return null;
        }
    }

    public void Remove(MediaSocketRegistration registration)
    {
        lock (_gate)
        {
            if (!registration.Active)
            {
                return;
            }

            registration.Deactivate();
            Control(EpollCtlDel, registration);
            _table[registration.Index] = null;
            _freeIndexes.Push(registration.Index);
        }
    }

    public void Stop()
    {
        _stopping = true;
        _stop.Set();
    }

    // The kernel then attaches SCM_TIMESTAMPNS to every datagram. Refused (an old kernel, a socket
    // being closed): the datagrams come without it and carry the time recvmmsg returned.
    private static void EnableReceiveTimestamps(Socket socket)
    {
        try
        {
            Span<byte> on = stackalloc byte[sizeof(int)];
            MemoryMarshal.Write(on, 1);
            socket.SetRawSocketOption(SolSocket, SoTimestampNs, on);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    // Called under _gate. After the thread has closed the epoll descriptor its number may belong to
    // someone else, so nothing is changed then.
    private bool Control(int operation, MediaSocketRegistration registration)
    {
        if (_closed)
        {
            return false;
        }

        var added = false;
        try
        {
            registration.Handle.DangerousAddRef(ref added);
            var epollEvent = stackalloc byte[16];
            WriteEpollEvent(epollEvent, EpollIn, (ulong)registration.Index);
            Interlocked.Increment(ref _systemCalls);
            return EpollControl(_epoll, operation, (int)registration.Handle.DangerousGetHandle(), epollEvent) == 0;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            if (added)
            {
                registration.Handle.DangerousRelease();
            }
        }
    }

    private void Run()
    {
        var events = (byte*)NativeMemory.AllocZeroed((nuint)(MaxEvents * EpollEventSize));
        var messages = (MultiMessageHeader*)NativeMemory.AllocZeroed((nuint)(Batch * sizeof(MultiMessageHeader)));
        var vectors = (IoVector*)NativeMemory.AllocZeroed((nuint)(Batch * sizeof(IoVector)));
        var buffers = (byte*)NativeMemory.AllocZeroed(Batch * BufferBytes);
        var addresses = (byte*)NativeMemory.AllocZeroed(Batch * AddressBytes);
        var controls = (byte*)NativeMemory.AllocZeroed(Batch * ControlBytes);
        var v4 = new SocketAddress(AddressFamily.InterNetwork);
        var v6 = new SocketAddress(AddressFamily.InterNetworkV6);
        MediaThreads.ApplyToCurrentThread(clock: false);
        try
        {
            for (var i = 0; i < Batch; i++)
            {
                vectors[i].Base = buffers + (i * BufferBytes);
                vectors[i].Length = BufferBytes;
                messages[i].Header.Vectors = vectors + i;
                messages[i].Header.VectorCount = 1;
                messages[i].Header.Name = addresses + (i * AddressBytes);
                messages[i].Header.Control = controls + (i * ControlBytes);
            }

            while (!_stopping)
            {
                var ready = EpollWait(_epoll, events, MaxEvents, StopCheckMilliseconds);
                Interlocked.Increment(ref _systemCalls);
                if (ready <= 0)
                {
                    continue;
                }

                Interlocked.Increment(ref _wakeups);
                _kernelTime.RefreshIfDue(Stopwatch.GetTimestamp());
                var table = Volatile.Read(ref _table);
                for (var i = 0; i < ready; i++)
                {
                    var index = (int)ReadEpollData(events, i);
                    if (index < table.Length && table[index] is { Active: true } registration)
                    {
                        Drain(registration, messages, v4, v6);
                    }
                }

                if (_pollInterval > 0 && ready < MaxEvents)
                {
                    var now = Stopwatch.GetTimestamp();
                    PreciseSleep.Until(now - (now % _pollInterval) + _pollInterval, _stop);
                }
            }
        }
        finally
        {
            MediaThreads.LeaveCurrentThread();
            NativeMemory.Free(events);
            NativeMemory.Free(messages);
            NativeMemory.Free(vectors);
            NativeMemory.Free(buffers);
            NativeMemory.Free(addresses);
            NativeMemory.Free(controls);
            lock (_gate)
            {
                _closed = true;
                Close(_epoll);
            }
        }
    }

    private void Drain(MediaSocketRegistration registration, MultiMessageHeader* messages, SocketAddress v4, SocketAddress v6)
    {
        var added = false;
        int received;
        try
        {
            registration.Handle.DangerousAddRef(ref added);
            for (var i = 0; i < Batch; i++)
            {
                messages[i].Header.NameLength = AddressBytes;
                messages[i].Header.ControlLength = ControlBytes;
                messages[i].Header.Flags = 0;
            }

            received = ReceiveMultiple((int)registration.Handle.DangerousGetHandle(), messages, Batch, MsgDontWait, null);
            Interlocked.Increment(ref _systemCalls);
        }
        catch (ObjectDisposedException)
        {
            return;
        }
        finally
        {
            if (added)
            {
                registration.Handle.DangerousRelease();
            }
        }

        // Nothing queued after all (EAGAIN), or a socket error such as a reported ICMP
        // unreachable, which the call has consumed: either way there is nothing to deliver.
        if (received <= 0)
        {
            return;
        }

        // The processing time: what a datagram without a believable kernel time carries.
        var returned = Stopwatch.GetTimestamp();
        var stamped = 0;
        Interlocked.Add(ref _datagrams, received);
        for (var i = 0; i < received && registration.Active; i++)
        {
            var header = &messages[i].Header;
            var family = *(ushort*)header->Name;
            var source = family == AfInet6 ? v6 : family == AfInet ? v4 : null;
            if (source is null || header->NameLength > source.Buffer.Length)
            {
                continue;
            }

            new ReadOnlySpan<byte>(header->Name, (int)header->NameLength).CopyTo(source.Buffer.Span);
            source.Size = (int)header->NameLength;
            var length = (int)Math.Min(messages[i].Length, BufferBytes);
            var arrival = returned;
            if (KernelReceiveTime.TryRead(new ReadOnlySpan<byte>(header->Control, (int)Math.Min(header->ControlLength, ControlBytes)), out var realtime))
            {
                arrival = _kernelTime.ToStopwatch(realtime, returned, out var believed);
                stamped += believed ? 1 : 0;
            }

            try
            {
                registration.Receiver.OnDatagram(new ReadOnlySpan<byte>(header->Vectors->Base, length), source, registration.Rtcp, arrival);
            }
            catch (Exception)
            {
                registration.ReceiverFaults++;
            }
        }

        Interlocked.Add(ref _kernelTimestamps, stamped);
    }
}
