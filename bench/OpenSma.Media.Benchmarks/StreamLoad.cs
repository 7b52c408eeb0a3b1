using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using OpenSma.Media.Audio;
using OpenSma.Media.Clock;
using OpenSma.Media.Codecs;
using OpenSma.Media.Playback;
using OpenSma.Media.Rtp;

namespace OpenSma.Media.Benchmarks;

/// <summary>
/// N two-way G.711 streams on loopback: legs are paired, every leg plays a prompt out at 50
/// packets/s and receives its partner's stream with the in-band DTMF detector running. Reports
/// packets/s, CPU per 1,000 streams, allocations per packet, inter-arrival jitter and loss, and
/// in the same run the raw loopback UDP ceiling for 172-byte datagrams. --voice-focus turns the
/// noise suppressor on for every leg. Load-independent figures for a shared machine: CPU time and
/// system calls per packet, context switches per packet, and how far each sampled leg's sends
/// are from its ideal grid (clock start + tick x 20 ms + the leg's slot offset). Options:
/// --clocks N (media clocks, default 1), --slots N (send slots per tick, default 10; 1 = all at
/// the tick's start), --managed-sockets (the portable async socket loops instead of the Linux engine),
/// --realtime N (SCHED_FIFO priority N for the receive threads and N+1 for the clocks; default off),
/// --lead MS (the clocks' send lead: timed sends on io_uring; default 0), --ptime MS (packet time of
/// every stream, 10-120; default 20; deviation is then measured from the ptime).
/// Inter-arrival deviation is measured between the kernel's receive times (SO_TIMESTAMPNS, as the
/// engine hands them to the session), so a pause of this process does not show as network jitter;
/// with --managed-sockets, between the times the session processed the packets.
/// </summary>
internal static class StreamLoad
{
    private const int SampledLegs = 64;
    private const int MaxSamplesPerLeg = 4096;

    public static async Task<int> RunAsync(string[] args)
    {
        var streams = Option(args, "--streams", 2000);
        var seconds = Option(args, "--seconds", 10);
        var clocks = Option(args, "--clocks", 1);
        var slots = Option(args, "--slots", 10);
        var lead = TimeSpan.FromMilliseconds(Option(args, "--lead", 0));
        var ptime = Option(args, "--ptime", 20);
        var managedSockets = Array.IndexOf(args, "--managed-sockets") >= 0;
        var realTime = Option(args, "--realtime", 0);
        if (realTime > 0 && !MediaThreads.TryEnable(realTime, out var refused))
        {
            Console.WriteLine($"# real-time scheduling not available: {refused}");
        }

        var engine = managedSockets ? null : MediaSocketEngine.Shared;
        var basePort = Option(args, "--base-port", 30000);
        var voiceFocus = Array.IndexOf(args, "--voice-focus") >= 0;
        streams += streams % 2;

        Console.WriteLine($"# load average before the run: {LoadAverage()}");
        Console.WriteLine($"# {streams} streams ({streams / 2} two-way pairs), {clocks} media clock(s) with {slots} send slot(s) per tick, sockets: {(engine is null ? "managed async loops" : $"Linux engine ({MediaSocketEngine.DefaultThreads} receive thread(s))")}, {seconds} s measured, {Environment.ProcessorCount} cores, media threads {(MediaThreads.RealTimePriority > 0 ? $"SCHED_FIFO {MediaThreads.RealTimePriority}/{MediaThreads.RealTimePriority + 1}" : "normal scheduling")}{(voiceFocus ? ", VoiceFocus on every leg" : string.Empty)}, send lead {lead.TotalMilliseconds:0} ms, ptime {ptime} ms");
        var ceiling = MeasureRawCeiling(TimeSpan.FromSeconds(3));
        Console.WriteLine($"raw loopback UDP ceiling (1 sender, 1 receiver, 172-byte datagrams): {ceiling:N0} packets/s");

        var ports = new RtpPortAllocator(basePort, basePort + (streams * 2) + 100);
        var mediaClocks = Enumerable.Range(0, clocks).Select(_ => new MediaClock(TimeProvider.System, new MediaClockOptions { Slots = slots, SendLead = lead })).ToArray();
        var sessions = new List<RtpSession>(streams);
        var prompt = BuildPrompt();
        var sinks = new List<ArrivalSink>();
        var senders = new List<SendRecorder>();
        try
        {
            for (var i = 0; i < streams; i++)
            {
                var lease = ports.TryAllocate(IPAddress.Loopback) ?? throw new InvalidOperationException($"out of ports at stream {i}");
                var session = new RtpSession(new UdpMediaTransport(lease, engine), new RtpSessionOptions(AudioCodec.Pcmu, 0, 101) { PacketTimeMilliseconds = ptime }, TimeProvider.System);
                sessions.Add(session);
            }

            for (var i = 0; i < streams; i += 2)
            {
                sessions[i].SetRemote(new IPEndPoint(IPAddress.Loopback, sessions[i + 1].LocalRtpPort));
                sessions[i + 1].SetRemote(new IPEndPoint(IPAddress.Loopback, sessions[i].LocalRtpPort));
            }

            for (var i = 0; i < streams; i++)
            {
                var session = sessions[i];
                session.VoiceFocus = voiceFocus;
                session.Start();
                _ = session.Player.Play(prompt, repeat: 1000);
                if (i < SampledLegs)
                {
                    var sink = new ArrivalSink(session, ptime);
                    sinks.Add(sink);
                    session.AddInboundSink(sink);
                }

                var clock = mediaClocks[i % clocks];
                if (i < SampledLegs)
                {
                    var recorder = new SendRecorder(session, clock);
                    senders.Add(recorder);
                    clock.Subscribe(recorder);
                }
                else
                {
                    clock.Subscribe(session);
                }
            }

            await Task.Delay(TimeSpan.FromSeconds(2)); // warm-up: JIT, latching, first RTCP
            if (lead > TimeSpan.Zero)
            {
                Console.WriteLine(mediaClocks.All(c => c.SendsTimed)
                    ? "# timed sends (io_uring) on every clock: packets leave at their grid time"
                    : $"# timed sends not in use: {mediaClocks.Select(c => c.TimedSendError).FirstOrDefault(e => e is not null) ?? "no ring"}");
            }

            var process = Process.GetCurrentProcess();
            var (sent0, received0, lost0) = Totals(sessions);
            var switches0 = ContextSwitches(); // reads /proc: before the allocation count starts
            var cpu0 = process.TotalProcessorTime;
            var allocated0 = GC.GetTotalAllocatedBytes(precise: true);
            var gen0 = GC.CollectionCount(0);
            var syscalls0 = engine?.SystemCalls ?? 0;
            var fallbacks0 = MediaSocketEngine.TimedSendFallbacks;
            var datagrams0 = engine?.DatagramsReceived ?? 0;
            var stamped0 = engine?.KernelTimestampedDatagrams ?? 0;
            foreach (var sink in sinks)
            {
                sink.Reset();
            }

            foreach (var sender in senders)
            {
                sender.Reset();
            }

            var wall = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            wall.Stop();
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated0; // first: the reads below allocate
            process.Refresh();
            var (sent1, received1, lost1) = Totals(sessions);
            var cpu = process.TotalProcessorTime - cpu0;
            var collections = GC.CollectionCount(0) - gen0;
            var syscalls = (engine?.SystemCalls ?? 0) - syscalls0;
            var datagrams = (engine?.DatagramsReceived ?? 0) - datagrams0;
            var stamped = (engine?.KernelTimestampedDatagrams ?? 0) - stamped0;
            var switches = ContextSwitches() - switches0;

            var sentPackets = sent1 - sent0;
            var receivedPackets = received1 - received0;
            var packetsPerSecond = receivedPackets / wall.Elapsed.TotalSeconds;
            var deviations = sinks.SelectMany(s => s.Deviations()).Order().ToArray();
            var cpuPerThousand = cpu.TotalSeconds / wall.Elapsed.TotalSeconds / (streams / 1000.0);
            Console.WriteLine($"packets sent: {sentPackets:N0} ({sentPackets / wall.Elapsed.TotalSeconds:N0}/s, expected {streams * 1000 / ptime:N0}/s)");
            Console.WriteLine($"packets received: {receivedPackets:N0} ({packetsPerSecond:N0}/s) = {packetsPerSecond / ceiling:P1} of the raw ceiling");
            Console.WriteLine($"loss: {Math.Max(0, sentPackets - receivedPackets):N0} not received in the window ({(double)Math.Max(0, sentPackets - receivedPackets) / Math.Max(1, sentPackets):P3}), RTP sequence gaps {lost1 - lost0:N0}");
            Console.WriteLine($"CPU: {cpu.TotalSeconds / wall.Elapsed.TotalSeconds:P0} of one core in total; {cpuPerThousand:P0} of one core per 1,000 streams; {cpu.TotalMicroseconds / Math.Max(1, sentPackets + receivedPackets):F1} us per packet handled (sent+received)");
            Console.WriteLine($"allocations: {allocated:N0} bytes in the window, {(double)allocated / Math.Max(1, sentPackets + receivedPackets):F4} bytes per packet (sent+received), {collections} gen0 GCs");
            var handled = Math.Max(1, sentPackets + receivedPackets);
            Console.WriteLine(engine is null
                ? "system calls: not counted with managed sockets (perf stat -e raw_syscalls:sys_enter -p PID counts them)"
                : $"system calls: {(double)syscalls / handled:F3} per packet handled ({syscalls:N0}; epoll_wait, recvmmsg, sendto)");
            if (lead > TimeSpan.Zero)
            {
                Console.WriteLine($"timed sends that fell back to an immediate send (ring full, datagram too big): {MediaSocketEngine.TimedSendFallbacks - fallbacks0:N0}");
            }

            Console.WriteLine($"context switches: {(double)switches / handled:F4} per packet handled ({switches:N0}, all threads)");
            var lateness = senders.SelectMany(s => s.Lateness()).Order().ToArray();
            var spread = senders.SelectMany(s => s.Spread()).Order().ToArray();
            if (lateness.Length > 0)
            {
                Console.WriteLine($"send time after the ideal grid (tick x 20 ms + slot offset) over {lateness.Length:N0} sends on {senders.Count} legs: p50 {Percentile(lateness, 0.5):F3} ms, p99 {Percentile(lateness, 0.99):F3} ms, max {lateness[^1]:F3} ms");
                Console.WriteLine($"send offset steadiness (each leg's send time minus its own median offset): p50 {Percentile(spread, 0.5):F3} ms, p99 {Percentile(spread, 0.99):F3} ms; ticks skipped {senders.Sum(s => s.Skipped):N0}");
            }

            if (deviations.Length > 0)
            {
                var clockUsed = engine is null
                    ? "processing times (managed sockets)"
                    : $"kernel receive timestamps (SO_TIMESTAMPNS) for {(double)stamped / Math.Max(1, datagrams):P1} of datagrams, processing time for the rest";
                Console.WriteLine($"inter-arrival deviation from {ptime} ms ({clockUsed}) over {deviations.Length:N0} intervals on {sinks.Count} legs: p50 {Percentile(deviations, 0.5):F2} ms, p99 {Percentile(deviations, 0.99):F2} ms, max {deviations[^1]:F2} ms");
            }
        }
        finally
        {
            foreach (var clock in mediaClocks)
            {
                clock.Dispose();
            }

            foreach (var session in sessions)
            {
                session.Dispose();
            }
        }

        return 0;
    }

    private static PcmAudio BuildPrompt()
    {
        // Two seconds of tones and gaps, decoded from a WAV as a real prompt would be.
        var parts = new[]
        {
            ToneGenerator.Beep(TimeSpan.FromMilliseconds(500), 440),
            PcmAudio.Silence(TimeSpan.FromMilliseconds(250)),
            ToneGenerator.Beep(TimeSpan.FromMilliseconds(750), 660),
            PcmAudio.Silence(TimeSpan.FromMilliseconds(500)),
        };
        var wav = WavWriter.WriteMono(PcmAudio.Concat(parts).Samples.Span);
        return WavReader.Decode(wav).Audio!;
    }

    private static (long Sent, long Received, long Lost) Totals(List<RtpSession> sessions)
    {
        long sent = 0, received = 0, lost = 0;
        foreach (var session in sessions)
        {
            var stats = session.GetStatistics();
            sent += stats.PacketsSent;
            received += stats.PacketsReceived;
            lost += stats.PacketsLost;
        }

        return (sent, received, lost);
    }

    private static long MeasureRawCeiling(TimeSpan duration)
    {
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        receiver.ReceiveBufferSize = 4 * 1024 * 1024;
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var destination = receiver.LocalEndPoint!.Serialize();
        long received = 0;
        var stop = false;
        var receiveThread = new Thread(() =>
        {
            var buffer = new byte[2048];
            var from = new SocketAddress(AddressFamily.InterNetwork);
            receiver.ReceiveTimeout = 200;
            while (!Volatile.Read(ref stop))
            {
                try
                {
                    receiver.ReceiveFrom(buffer, SocketFlags.None, from);
                    received++;
                }
                catch (SocketException)
                {
                }
            }
        });
        receiveThread.Start();
        var datagram = new byte[172];
        var clock = Stopwatch.StartNew();
        long before = 0;
        var measuring = false;
        while (clock.Elapsed < duration + TimeSpan.FromMilliseconds(500))
        {
            if (!measuring && clock.Elapsed > TimeSpan.FromMilliseconds(500))
            {
                measuring = true;
                before = Interlocked.Read(ref received);
            }

            sender.SendTo(datagram, SocketFlags.None, destination);
        }

        var total = Interlocked.Read(ref received) - before;
        Volatile.Write(ref stop, true);
        receiveThread.Join();
        return (long)(total / duration.TotalSeconds);
    }

    private static long ContextSwitches()
    {
        long total = 0;
        try
        {
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        total += long.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(), CultureInfo.InvariantCulture);
                    }
                }
            }
        }
        catch (IOException)
        {
            // A thread ended while we read; the figure is approximate anyway.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return total;
    }

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>
    /// Records packet arrival times of one leg without allocating: the session's arrival time of
    /// the packet whose audio is being delivered (the kernel's receive time with the engine).
    /// </summary>
    /// <summary>Notes each received packet's arrival time (sinks get one frame per packet).</summary>
    private sealed class ArrivalSink(RtpSession session, int ptime) : IAudioSink
    {
        private readonly long[] _arrivals = new long[MaxSamplesPerLeg];
        private int _count;

        public void OnFrame(ReadOnlySpan<short> frame)
        {
            if (_count < _arrivals.Length)
            {
                _arrivals[_count++] = session.LastArrivalTimestamp;
            }
        }

        public void Reset() => Volatile.Write(ref _count, 0);

        public IEnumerable<double> Deviations()
        {
            var count = Volatile.Read(ref _count);
            for (var i = 1; i < count; i++)
            {
                var interval = (_arrivals[i] - _arrivals[i - 1]) * 1000.0 / Stopwatch.Frequency;
                yield return Math.Abs(interval - ptime);
            }
        }
    }

    /// <summary>Stands in front of a session on the clock and notes when each tick reached it, against the ideal time.</summary>
    private sealed class SendRecorder(RtpSession session, MediaClock clock) : IMediaClockListener
    {
        private readonly double[] _lateness = new double[MaxSamplesPerLeg];
        private int _count;
        private long _lastTick = -1;
        private TimeSpan? _offset;

        public long Skipped { get; private set; }

        public void OnTick(long tick)
        {
            var now = Stopwatch.GetTimestamp();
            var offset = _offset ??= clock.GetOffset(this) ?? TimeSpan.Zero;
            var ideal = clock.StartTimestamp + (long)(((tick * MediaClock.FrameInterval.Ticks) + offset.Ticks - clock.SendLead.Ticks) * (Stopwatch.Frequency / (double)TimeSpan.TicksPerSecond));
            if (_lastTick >= 0 && tick > _lastTick + 1)
            {
                Skipped += tick - _lastTick - 1;
            }

            _lastTick = tick;
            if (_count < _lateness.Length)
            {
                _lateness[_count++] = (now - ideal) * 1000.0 / Stopwatch.Frequency;
            }

            session.OnTick(tick);
        }

        public void Reset()
        {
            Volatile.Write(ref _count, 0);
            Skipped = 0;
        }

        public IEnumerable<double> Lateness() => _lateness.Take(Volatile.Read(ref _count));

        public IEnumerable<double> Spread()
        {
            var values = Lateness().Order().ToArray();
            if (values.Length == 0)
            {
                return [];
            }

            var median = values[values.Length / 2];
            return values.Select(v => Math.Abs(v - median));
        }
    }
}
