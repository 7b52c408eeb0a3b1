using System.Net;
using System.Net.Sockets;

namespace OpenSma.Media.Rtp;

/// <summary>
/// Receives the datagrams of many <see cref="UdpMediaTransport"/>s on a few dedicated threads and
/// sends without the managed socket layer (64-bit Linux). Each thread waits in epoll for any of its
/// sockets and takes everything queued on a ready socket with one recvmmsg, then hands each
/// datagram to the leg on that same thread: no thread-pool hop and no async machinery per packet,
/// and a burst queued while the thread was busy costs one call instead of one per datagram. Sends
/// are one sendto each: with one socket per leg (each leg's SDP names its own port, and peers
/// behind NAT expect our RTP from it) sendmmsg could only batch the datagrams of one leg, and a leg
/// sends one per tick. <see cref="UdpMediaTransport"/> uses <see cref="Shared"/> when it exists
/// and the portable async socket loops otherwise. Each datagram reaches its leg with the kernel's
/// receive time (SO_TIMESTAMPNS), so arrival statistics do not include this process's own delays.
/// </summary>
public sealed class MediaSocketEngine : IDisposable
{
    private static readonly Lazy<MediaSocketEngine?> SharedEngine = new(
        () => IsSupported ? new MediaSocketEngine(DefaultThreads, DefaultPollInterval) : null,
        LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly MediaSocketWorker[] _workers;
    private long _sendCalls;
    private long _sendErrors;
    private int _nextWorker;
    private int _disposed;

    /// <summary>How often a receive thread looks for datagrams while they keep coming: at most this much added latency.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(1);

    public MediaSocketEngine(int receiveThreads)
        : this(receiveThreads, DefaultPollInterval)
    {
    }

    /// <param name="receiveThreads">Threads that receive; sockets are spread over them round-robin.</param>
    /// <param name="pollInterval">After a wake-up a thread sleeps to the next multiple of this before it waits again (batching); zero to wake per readiness.</param>
    public MediaSocketEngine(int receiveThreads, TimeSpan pollInterval)
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("The media socket engine needs 64-bit Linux.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(receiveThreads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pollInterval, TimeSpan.Zero);
        PollInterval = pollInterval;
        _workers = new MediaSocketWorker[receiveThreads];
        for (var i = 0; i < receiveThreads; i++)
        {
            _workers[i] = new MediaSocketWorker(i, pollInterval);
        }
    }

    /// <summary>True on 64-bit Linux (x64, arm64).</summary>
    public static bool IsSupported => LinuxSocketCalls.IsSupported;

    /// <summary>The process-wide engine (one receive thread per four cores, at least one); null where unsupported.</summary>
    public static MediaSocketEngine? Shared => SharedEngine.Value;

    /// <summary>Receive threads: one per four cores, at least one (a receive thread handles about 300,000 datagrams/s).</summary>
    public static int DefaultThreads => Math.Max(1, Environment.ProcessorCount / 4);

    public TimeSpan PollInterval { get; }

    /// <summary>System calls made so far (epoll_wait, recvmmsg, sendto, epoll_ctl), for measurements.</summary>
    public long SystemCalls
    {
        get
        {
            var total = Interlocked.Read(ref _sendCalls);
            foreach (var worker in _workers)
            {
                total += worker.SystemCalls;
            }

            return total;
        }
    }

    public long DatagramsReceived => _workers.Sum(w => w.DatagramsReceived);

    /// <summary>Times a receive thread woke from epoll_wait with work.</summary>
    public long Wakeups => _workers.Sum(w => w.Wakeups);

    /// <summary>Datagrams delivered with the kernel's receive time (SO_TIMESTAMPNS); the others carry when recvmmsg returned.</summary>
    public long KernelTimestampedDatagrams => _workers.Sum(w => w.KernelTimestamps);

    public long SendErrors => Interlocked.Read(ref _sendErrors);

    /// <summary>Datagrams media clocks handed to the kernel ahead of time, to leave at their due time (<see cref="TimedSendRing"/>), in the whole process.</summary>
    public static long TimedSends => TimedSendRing.QueuedTotal;

    /// <summary>Datagrams a media clock with a send lead sent at once instead (its ring full, or the datagram too big).</summary>
    public static long TimedSendFallbacks => TimedSendRing.ImmediateTotal;

    /// <summary>Timed sends the kernel reported as failed.</summary>
    public static long TimedSendFailures => TimedSendRing.FailedTotal;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var worker in _workers)
        {
            worker.Stop();
        }
    }

    /// <summary>Starts delivering <paramref name="socket"/>'s datagrams to <paramref name="receiver"/>; null when the socket could not be added.</summary>
    internal MediaSocketRegistration? Register(Socket socket, IMediaTransportReceiver receiver, bool rtcp)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var worker = _workers[(int)((uint)Interlocked.Increment(ref _nextWorker) % (uint)_workers.Length)];
        return worker.Add(socket, receiver, rtcp);
    }

    internal static void Unregister(MediaSocketRegistration? registration) => registration?.Worker.Remove(registration);

    /// <summary>
    /// One sendto, never blocking: a full socket buffer drops the datagram (false), as a late packet
    /// would be useless. Called by a media clock that delivers ahead of time
    /// (<see cref="Clock.MediaClockOptions.SendLead"/>), the datagram is queued instead on the
    /// clock's <see cref="TimedSendRing"/>, which is returned in <paramref name="queuedOn"/>: the
    /// socket must then stay open until that ring's <see cref="TimedSendRing.AfterQueuedSends"/>.
    /// </summary>
    internal unsafe bool Send(Socket socket, ReadOnlySpan<byte> datagram, SocketAddress destination, ref TimedSendRing? queuedOn)
    {
        var handle = socket.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (TimedSendRing.OpenOnThisThread is { } ring && ring.TryAdd((int)handle.DangerousGetHandle(), datagram, destination))
            {
                queuedOn ??= ring;
                return true;
            }

            nint sent;
            fixed (byte* data = datagram)
            fixed (byte* address = destination.Buffer.Span)
            {
                sent = LinuxSocketCalls.SendTo((int)handle.DangerousGetHandle(), data, (nuint)datagram.Length, LinuxSocketCalls.MsgDontWait, address, (uint)destination.Size);
            }

            Interlocked.Increment(ref _sendCalls);
            if (sent < 0)
            {
                Interlocked.Increment(ref _sendErrors);
                return false;
            }

            return true;
        }
        catch (ObjectDisposedException)
        {
            Interlocked.Increment(ref _sendErrors);
            return false;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }
}
