using System.Net;

namespace OpenSma.Media.Rtp;

public sealed partial class RtpSession
{
    private Packetizer? _packetizer;

    // Packets of the negotiated ptime other than 20 ms: the clock's 20 ms frames are gathered and
    // cut into packets of ptime x 8 samples, each stamped with its first sample's timestamp.
    // Only the pending samples are the leg's own; the packet being cut, encoded and sent is in the
    // thread's scratch.
    private void SendPacketized(ReadOnlySpan<short> frame, long tick, uint timestamp, SocketAddress destination, RtpSessionOptions options, PacketScratch scratch)
    {
        var packetizer = _packetizer ??= new Packetizer();
        var samples = Math.Clamp(options.PacketTimeMilliseconds, RtpSessionOptions.MinPacketTime, RtpSessionOptions.MaxPacketTime) * 8;
        packetizer.Add(frame, tick, timestamp);
        var packet = scratch.PacketSamples.AsSpan(0, samples);
        var payload = scratch.PacketPayload.AsSpan(0, samples);
        while (packetizer.TryTake(packet, out var packetTimestamp, out var marker))
        {
            options.Codec.Encode(packet, payload);
            var length = _send.WritePacketAt(scratch.PacketDatagram, options.AudioPayloadType, tick, payload, packetTimestamp, marker);
            _transport.Send(scratch.PacketDatagram.AsSpan(0, length), destination, rtcp: false);
        }
    }

    /// <summary>The pending samples of a leg whose packets are not one tick long.</summary>
    private sealed class Packetizer
    {
        private const int MaxSamples = RtpSessionOptions.MaxPacketTime * 8;

        private readonly short[] _pending = new short[MaxSamples + Audio.PcmAudio.SamplesPerFrame];
        private int _count;
        private uint _timestamp;
        private long _lastTick = long.MinValue;
        private bool _marker = true;

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

        /// <summary>Moves the next packet's samples (as many as <paramref name="packet"/> holds) into it, once that many are pending.</summary>
        public bool TryTake(Span<short> packet, out uint timestamp, out bool marker)
        {
            var samples = packet.Length;
            if (_count < samples)
            {
                timestamp = 0;
                marker = false;
                return false;
            }

            _pending.AsSpan(0, samples).CopyTo(packet);
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
