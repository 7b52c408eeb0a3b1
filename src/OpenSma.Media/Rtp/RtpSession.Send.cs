using OpenSma.Media.Dtmf;
using OpenSma.Media.Sdp;

namespace OpenSma.Media.Rtp;

public sealed partial class RtpSession
{
    /// <summary>Called by the media clock every 20 ms.</summary>
    public void OnTick(long tick)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        var options = _options;
        CheckInactivity(options);
        var scratch = PacketScratch.Rent();
        try
        {
            Tick(tick, options, scratch);
        }
        finally
        {
            PacketScratch.Return(scratch);
        }
    }

    private void Tick(long tick, RtpSessionOptions options, PacketScratch scratch)
    {
        DeliverFiltered(scratch.FilteredFrame);

        // The player and bridge advance even when we may not send (hold), so timing stays true.
        // The frame is cleared first: it is the thread's, and a source that wrote only part of it
        // must not send another leg's audio.
        var frame = scratch.OutFrame.AsSpan();
        frame.Clear();
        var timestamp = _send.TimestampForTick(tick);
        var destination = _latch.Destination;
        var sends = options.Direction.Sends() && destination is not null;

        if (options.TelephoneEventPayloadType is { } eventType
            && DigitSender.NextPacket(timestamp, out var value, out var eventTimestamp, out var marker))
        {
            if (sends)
            {
                Span<byte> payload = stackalloc byte[TelephoneEvent.PayloadBytes];
                value.Write(payload);
                var length = _send.WritePacket(scratch.Datagram, eventType, tick, payload, marker, eventTimestamp);
                _transport.Send(scratch.Datagram.AsSpan(0, length), destination!, rtcp: false);
            }

            // The player is not read while an event is on the wire: the prompt pauses under the digit.
            _packetizer?.Reset();
        }
        else
        {
            if (Player.IsPlaying || _outboundSource is not { } source)
            {
                Player.ReadFrame(frame);
            }
            else
            {
                source.ReadFrame(frame);
            }

            foreach (var sink in Volatile.Read(ref _outboundSinks))
            {
                sink.OnFrame(frame);
            }

            if (sends && options.PacketTimeMilliseconds == 20)
            {
                options.Codec.Encode(frame, scratch.OutPayload);
                var length = _send.WritePacket(scratch.Datagram, options.AudioPayloadType, tick, scratch.OutPayload);
                _transport.Send(scratch.Datagram.AsSpan(0, length), destination!, rtcp: false);
            }
            else if (sends)
            {
                SendPacketized(frame, tick, timestamp, destination!, options, scratch);
            }
            else
            {
                _packetizer?.Interrupt();
            }
        }

        if (--_ticksUntilRtcp <= 0)
        {
            _ticksUntilRtcp = _ticksPerRtcp;
            SendRtcp(tick, scratch.Rtcp);
        }
    }

    private void CheckInactivity(RtpSessionOptions options)
    {
        if (!options.Direction.Receives() || _peerInactive.Task.IsCompleted)
        {
            // On hold the peer may legitimately send nothing.
            if (!options.Direction.Receives())
            {
                Volatile.Write(ref _lastReceived, _time.GetTimestamp());
            }

            return;
        }

        if (_time.GetElapsedTime(Volatile.Read(ref _lastReceived)) >= options.InactivityTimeout)
        {
            _peerInactive.TrySetResult();
        }
    }

    private void SendRtcp(long tick, byte[] buffer)
    {
        int length;
        System.Net.SocketAddress destination;
        lock (_receiveGate)
        {
            if (_rtcpDestination is null)
            {
                return;
            }

            destination = _rtcpDestination;
            RtcpSenderInfo? info = _send.PacketCount == 0
                ? null
                : new RtcpSenderInfo(
                    RtcpSenderInfo.ToNtp(_time.GetUtcNow() + TimedSendRing.AheadOfNow()),
                    _send.TimestampForTick(tick),
                    unchecked((uint)_send.PacketCount),
                    unchecked((uint)_send.OctetCount));
            RtcpReportBlock? block = null;
            if (_receive.HasSource)
            {
                var delay = _peerLastSenderReport == 0
                    ? 0u
                    : (uint)(_time.GetElapsedTime(_peerLastSenderReportAt).Ticks * 65536 / TimeSpan.TicksPerSecond);
                block = new RtcpReportBlock(
                    _receive.Ssrc,
                    _receive.TakeFractionLost(),
                    (int)Math.Clamp(_receive.CumulativeLost, int.MinValue, int.MaxValue),
                    _receive.ExtendedHighestSequence,
                    _receive.Jitter,
                    _peerLastSenderReport,
                    delay);
            }

            length = RtcpPacket.WriteCompound(buffer, _send.Ssrc, info, block, _options.Cname);
        }

        // With rtcp-mux the reports leave from the RTP socket, so the peer sees one port for both.
        _transport.Send(buffer.AsSpan(0, length), destination, rtcp: !_options.RtcpMux);
    }
}
