using System.Net;

namespace OpenSma.Media.Rtp;

public sealed partial class RtpSession
{
    private Packetizer? _packetizer;

    // Packets of the negotiated ptime other than 20 ms: the clock's 20 ms frames are gathered and
    // cut into packets of ptime x 8 samples, each stamped with its first sample's timestamp.
    private void SendPacketized(ReadOnlySpan<short> frame, long tick, uint timestamp, SocketAddress destination, RtpSessionOptions options)
    {
        var packetizer = _packetizer ??= new Packetizer();
        var samples = Math.Clamp(options.PacketTimeMilliseconds, RtpSessionOptions.MinPacketTime, RtpSessionOptions.MaxPacketTime) * 8;
        packetizer.Add(frame, tick, timestamp);
        while (packetizer.TryTake(samples, out var packet, out var packetTimestamp, out var marker))
        {
            options.Codec.Encode(packet, packetizer.Payload);
            var length = _send.WritePacketAt(packetizer.Datagram, options.AudioPayloadType, tick, packetizer.Payload.AsSpan(0, samples), packetTimestamp, marker);
            _transport.Send(packetizer.Datagram.AsSpan(0, length), destination, rtcp: false);
        }
    }

    /// <summary>The pending samples of a leg whose packets are not one tick long.</summary>
    private sealed class Packetizer
    {
        private const int MaxSamples = RtpSessionOptions.MaxPacketTime * 8;

        private readonly short[] _pending = new short[MaxSamples + Audio.PcmAudio.SamplesPerFrame];
        private readonly short[] _taken = new short[MaxSamples];
        private int _count;
        private uint _timestamp;
        private long _lastTick = long.MinValue;
        private bool _marker = true;

        public byte[] Payload { get; } = new byte[MaxSamples];

        public byte[] Datagram { get; } = new byte[RtpPacket.HeaderBytes + MaxSamples];

        public void Add(ReadOnlySpan<short> frame, long tick, uint timestamp)
        {
            if (_count > 0 && tick != _lastTick + 1)
            {
                // Ticks were missed (a late clock): the pending audio no longer joins up.
                _count = 0;
            }

            if (_count == 0)
            {
                _timestamp = timestamp;
            }

            frame.CopyTo(_pending.AsSpan(_count));
            _count += frame.Length;
            _lastTick = tick;
        }

        public bool TryTake(int samples, out ReadOnlySpan<short> packet, out uint timestamp, out bool marker)
        {
            if (_count < samples)
            {
                packet = default;
                timestamp = 0;
                marker = false;
                return false;
            }

            // Copy out before shifting: the caller encodes the packet before the next take.
            _pending.AsSpan(0, samples).CopyTo(_taken);
            packet = _taken.AsSpan(0, samples);
            timestamp = _timestamp;
            marker = _marker;
            _marker = false;
            _pending.AsSpan(samples, _count - samples).CopyTo(_pending);
            _count -= samples;
            _timestamp = unchecked(_timestamp + (uint)samples);
            return true;
        }

        /// <summary>Audio stops for a telephone-event: the pending partial packet is dropped.</summary>
        public void Reset() => _count = 0;

        /// <summary>Sending stopped (hold, no address): the next packet starts a talkspurt (marker).</summary>
        public void Interrupt()
        {
            _count = 0;
            _marker = true;
        }
    }
}
