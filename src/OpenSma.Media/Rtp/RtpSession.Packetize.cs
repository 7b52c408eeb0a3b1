using System.Net;
using OpenSma.Media.Clock;

namespace OpenSma.Media.Rtp;

public sealed partial class RtpSession : IDeferredSender
{
    private Packetizer? _packetizer;

    // Packets of the negotiated ptime other than 20 ms: the clock's 20 ms frames are gathered and
    // cut into packets of ptime x 8 samples, each stamped with its first sample's timestamp.
    // Only the pending samples are the leg's own; the packet being cut, encoded and sent is in the
    // thread's scratch. A packet due later than this tick (Packetizer.TryTake) waits in the clock's
    // deferred sends; ticked without a clock (directly), it leaves at once.
    private void SendPacketized(ReadOnlySpan<short> frame, long tick, uint timestamp, SocketAddress destination, RtpSessionOptions options, PacketScratch scratch)
    {
        var packetizer = _packetizer ??= new Packetizer();
        var samples = Math.Clamp(options.PacketTimeMilliseconds, RtpSessionOptions.MinPacketTime, RtpSessionOptions.MaxPacketTime) * 8;
        packetizer.Add(frame, tick, timestamp, samples);
        var packet = scratch.PacketSamples.AsSpan(0, samples);
        var payload = scratch.PacketPayload.AsSpan(0, samples);
        while (packetizer.TryTake(packet, out var packetTimestamp, out var marker, out var after))
        {
            options.Codec.Encode(packet, payload);
            var length = _send.WritePacketAt(scratch.PacketDatagram, options.AudioPayloadType, tick, payload, packetTimestamp, marker);
            var datagram = scratch.PacketDatagram.AsSpan(0, length);
            if (after == TimeSpan.Zero || !DeferredSends.TryDefer(this, datagram, destination, after))
            {
                _transport.Send(datagram, destination, rtcp: false);
            }
        }
    }

    /// <summary>A packet deferred by <see cref="SendPacketized"/> is due: sent unless the session has closed meanwhile.</summary>
    void IDeferredSender.SendDeferred(ReadOnlySpan<byte> datagram, SocketAddress destination)
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            _transport.Send(datagram, destination, rtcp: false);
        }
    }

    /// <summary>
    /// The pending samples of a leg whose packets are not one tick long, and when each packet is due.
    /// A run is a stretch of consecutive ticks cut into packets without a break; its packet n leaves
    /// at the run's first tick + n x ptime + c, where c = ptime - gcd(ptime, 20 ms) is the least
    /// delay that never needs a packet before the tick that completes its audio (10 ms: 0, so
    /// 0, 10, 20 ...; 30 ms: 20, so 20, 50, 80 ...; 40 ms: 20; 60 ms: 40). Every packet is then due
    /// 0 to 20 - gcd ms after the tick that completes it. Dropped audio (a telephone-event, hold, a
    /// missed tick, another ptime) ends the run; the next starts at the tick that begins it.
    /// </summary>
    private sealed class Packetizer
    {
        private const int MaxSamples = RtpSessionOptions.MaxPacketTime * 8;
        private const long TicksPerSample = TimeSpan.TicksPerSecond / 8000;

        private readonly short[] _pending = new short[MaxSamples + Audio.PcmAudio.SamplesPerFrame];
        private int _count;
        private uint _timestamp;
        private long _lastTick = long.MinValue;
        private bool _marker = true;
        private bool _running;
        private int _runSamples;          // samples per packet in this run
        private long _runStart;           // the tick that began the run
        private long _runPacketSamples;   // where the next packet starts, in samples since the run began
        private long _tick;               // the tick being cut

        public void Add(ReadOnlySpan<short> frame, long tick, uint timestamp, int samplesPerPacket)
        {
            if (tick != _lastTick + 1 || samplesPerPacket != _runSamples)
            {
                // Ticks were missed (a late clock) or the ptime changed: the pending audio no longer joins up.
                _running = false;
            }

            if (!_running)
            {
                _running = true;
                _count = 0;
                _timestamp = timestamp;
                _runSamples = samplesPerPacket;
                _runStart = tick;
                _runPacketSamples = 0;
            }

            frame.CopyTo(_pending.AsSpan(_count));
            _count += frame.Length;
            _lastTick = tick;
            _tick = tick;
        }

        /// <summary>
        /// Moves the next packet's samples (as many as <paramref name="packet"/> holds) into it, once
        /// that many are pending; <paramref name="after"/> is how long after the tick it is due.
        /// </summary>
        public bool TryTake(Span<short> packet, out uint timestamp, out bool marker, out TimeSpan after)
        {
            var samples = packet.Length;
            if (_count < samples)
            {
                timestamp = 0;
                marker = false;
                after = TimeSpan.Zero;
                return false;
            }

            _pending.AsSpan(0, samples).CopyTo(packet);
            timestamp = _timestamp;
            marker = _marker;
            _marker = false;
            var delay = samples - (long)Gcd(samples, Audio.PcmAudio.SamplesPerFrame);
            var dueInRun = _runPacketSamples + delay;
            var tickInRun = (_tick - _runStart) * Audio.PcmAudio.SamplesPerFrame;
            after = TimeSpan.FromTicks(Math.Max(0, dueInRun - tickInRun) * TicksPerSample);
            _runPacketSamples += samples;
            _pending.AsSpan(samples, _count - samples).CopyTo(_pending);
            _count -= samples;
            _timestamp = unchecked(_timestamp + (uint)samples);
            return true;
        }

        /// <summary>Audio stops for a telephone-event: the pending partial packet is dropped.</summary>
        public void Reset()
        {
            _count = 0;
            _running = false;
        }

        /// <summary>Sending stopped (hold, no address): the next packet starts a talkspurt (marker).</summary>
        public void Interrupt()
        {
            Reset();
            _marker = true;
        }

        private static int Gcd(int a, int b)
        {
            while (b != 0)
            {
                (a, b) = (b, a % b);
            }

            return a;
        }
    }
}
