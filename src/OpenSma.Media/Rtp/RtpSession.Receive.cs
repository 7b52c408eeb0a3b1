using System.Diagnostics;
using System.Net;
using OpenSma.Media.Dtmf;
using OpenSma.Media.Playback;
using OpenSma.Media.Sdp;

namespace OpenSma.Media.Rtp;

public sealed partial class RtpSession
{
    /// <summary>A datagram whose arrival time is not known: statistics use the time it is processed.</summary>
    public void OnDatagram(ReadOnlySpan<byte> datagram, SocketAddress source, bool rtcp) =>
        OnDatagram(datagram, source, rtcp, IMediaTransportReceiver.ArrivalUnknown);

    /// <summary>
    /// Called by the transport for every datagram; never throws. Interarrival jitter (RFC 3550
    /// A.8) and the RTCP timing (the arrival of a peer's SR for our DLSR, of an RR for the round
    /// trip) use <paramref name="arrivalTimestamp"/> (a Stopwatch timestamp, the kernel's receive
    /// time) when given, so time a datagram spent queued while this process was paused is not
    /// counted as network jitter; playout (the sinks, the jitter buffers behind them) and the
    /// inactivity timer go by when the datagram is processed, which is when it can be played.
    /// </summary>
    public void OnDatagram(ReadOnlySpan<byte> datagram, SocketAddress source, bool rtcp, long arrivalTimestamp)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        // RTCP may arrive multiplexed on the RTP port (RFC 5761): packet types 200-204.
        if (rtcp || (datagram.Length >= 2 && datagram[1] is >= 200 and <= 204))
        {
            OnRtcp(datagram, source, arrivalTimestamp);
            return;
        }

        if (!RtpPacket.TryRead(datagram, out var header, out var payload))
        {
            Interlocked.Increment(ref _malformed);
            return;
        }

        var options = _options;
        var isAudio = header.PayloadType == options.AudioPayloadType;
        var isEvent = header.PayloadType == options.TelephoneEventPayloadType;
        var isRedundant = header.PayloadType == options.RedundancyPayloadType;
        if (!isAudio && !isEvent && !isRedundant && header.PayloadType != 13)
        {
            // Comfort noise (13) is legal and ignored; anything else was not negotiated.
            Interlocked.Increment(ref _rejected);
            return;
        }

        lock (_receiveGate)
        {
            if (!_latch.Accept(source, header.Ssrc))
            {
                Interlocked.Increment(ref _rejected);
                return;
            }

            var now = _time.GetTimestamp();
            // Arrival in 8 kHz units; 128-bit so a machine up for more than 13 days (ns timestamps) does not overflow.
            // A transport gives every datagram an arrival time or none, so one session's arrivals share a clock.
            var arrival = arrivalTimestamp != IMediaTransportReceiver.ArrivalUnknown
                ? (long)((Int128)arrivalTimestamp * 8000 / Stopwatch.Frequency)
                : (long)((Int128)now * 8000 / _time.TimestampFrequency);
            if (!_receive.Update(header.Ssrc, header.SequenceNumber, header.Timestamp, arrival))
            {
                return;
            }

            Volatile.Write(ref _lastReceived, now);
            Volatile.Write(ref _lastArrival, arrivalTimestamp != IMediaTransportReceiver.ArrivalUnknown ? arrivalTimestamp : Stopwatch.GetTimestamp());
            if (!options.Direction.Receives())
            {
                return;
            }

            if (isRedundant)
            {
                OnRedundant(payload, header.Timestamp, options);
                return;
            }

            if (isEvent)
            {
                if (TelephoneEvent.TryRead(payload, out var value) && (_eventReceiver ??= new()).Process(header.Timestamp, value) is { } digit)
                {
                    Digits.OnTelephoneEvent(digit);
                }

                return;
            }

            if (!isAudio || payload.IsEmpty)
            {
                return;
            }

            OnAudio(payload, header.Timestamp, options);
        }
    }

    private void OnAudio(ReadOnlySpan<byte> payload, uint timestamp, RtpSessionOptions options)
    {
        var scratch = PacketScratch.Rent();
        try
        {
            OnAudio(payload, timestamp, options, scratch.InFrame.AsSpan(0, payload.Length));
        }
        finally
        {
            PacketScratch.Return(scratch);
        }
    }

    private void OnAudio(ReadOnlySpan<byte> payload, uint timestamp, RtpSessionOptions options, Span<short> frame)
    {
        options.Codec.Decode(payload, frame);

        // Digits are detected in the audio as received, before VoiceFocus can change it.
        if (options.DetectInBandDtmf && !Digits.InBandSuppressed)
        {
            if ((_inBand ??= new()).Process(frame) is { } tone)
            {
                Digits.OnInBand(tone);
            }
        }
        else
        {
            // Off, or the peer uses RFC 4733 (then for good): the detector's state is not needed.
            _inBand = null;
        }

        if (BufferForFilter(frame, timestamp))
        {
            return;
        }

        foreach (var sink in _inboundSinks)
        {
            if (sink is ITimedAudioSink timed)
            {
                timed.OnFrame(frame, timestamp);
            }
            else
            {
                sink.OnFrame(frame);
            }
        }
    }

    // RFC 2198: every event block (redundant copies included) goes to the receiver, which
    // recognizes repeats by timestamp; for audio only the primary block is played.
    private void OnRedundant(ReadOnlySpan<byte> payload, uint timestamp, RtpSessionOptions options)
    {
        var blocks = new RedundantPayload(payload, timestamp);
        if (!blocks.IsValid)
        {
            Interlocked.Increment(ref _malformed);
            return;
        }

        while (blocks.TryNext(out var block))
        {
            if (block.PayloadType == options.TelephoneEventPayloadType)
            {
                if (TelephoneEvent.TryRead(block.Data, out var value) && (_eventReceiver ??= new()).Process(block.Timestamp, value) is { } digit)
                {
                    Digits.OnTelephoneEvent(digit);
                }
            }
            else if (block.PayloadType == options.AudioPayloadType && block.Timestamp == timestamp && !block.Data.IsEmpty)
            {
                OnAudio(block.Data, timestamp, options);
            }
        }
    }

    private void OnRtcp(ReadOnlySpan<byte> datagram, SocketAddress source, long arrivalTimestamp)
    {
        if (!RtcpPacket.TryRead(datagram, _send.Ssrc, out var report))
        {
            Interlocked.Increment(ref _malformed);
            return;
        }

        lock (_receiveGate)
        {
            if (!_rtcpLatched && _latch.IsLatched)
            {
                // Answer RTCP where it comes from, as with RTP.
                _rtcpDestination = _rtcpDestination is { } current && current.Equals(source) ? current : SymmetricLatch.Copy(source);
                _rtcpLatched = true;
            }

            // When the report arrived, on the session's clock: now less the time it waited for us.
            var queued = arrivalTimestamp != IMediaTransportReceiver.ArrivalUnknown
                ? TimeSpan.FromTicks(Math.Max(0, (long)((Int128)(Stopwatch.GetTimestamp() - arrivalTimestamp) * TimeSpan.TicksPerSecond / Stopwatch.Frequency)))
                : TimeSpan.Zero;
            var now = _time.GetTimestamp() - (long)(queued.Ticks * (_time.TimestampFrequency / (double)TimeSpan.TicksPerSecond));
            if (report.SenderInfo is { } info)
            {
                _peerLastSenderReport = info.CompactNtp;
                _peerLastSenderReportAt = now;
            }

            if (report.AboutUs is { } block)
            {
                _remoteBlock = block;
                if (block.LastSenderReport != 0)
                {
                    // RTT = arrival - LSR - DLSR, all in 1/65536 s (RFC 3550 section 6.4.1).
                    var arrival = (uint)(RtcpSenderInfo.ToNtp(_time.GetUtcNow() - queued) >> 16);
                    var rtt = unchecked(arrival - block.LastSenderReport - block.DelaySinceLastSenderReport);
                    if (rtt < 65536 * 10)
                    {
                        _roundTrip = TimeSpan.FromTicks(rtt * TimeSpan.TicksPerSecond / 65536);
                    }
                }
            }
        }
    }
}
