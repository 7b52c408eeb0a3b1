using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using OpenSma.Media.Codecs;
using OpenSma.Media.Rtp;

namespace OpenSma.Media.Sdp;

/// <summary>
/// One leg's side of the RFC 3264 offer/answer exchange for a single audio stream: making offers
/// and re-offers (hold, resume), answering offers and re-offers, and processing answers. The
/// origin keeps one session id and increments its version only when our description changes.
/// Streams we cannot take (video, SRTP, no common codec) are rejected with port 0; an offer with
/// no usable audio at all fails with a reason for a 488 response.
/// </summary>
public sealed class OfferAnswerSession
{
    private readonly IPAddress _address;
    private readonly MediaCapabilities _capabilities;
    private readonly ulong _sessionId;
    private ulong _version;
    private string? _lastBody;
    private SessionDescription? _pendingOffer;

    public OfferAnswerSession(IPAddress localAddress, int localRtpPort, MediaCapabilities capabilities)
    {
        ArgumentNullException.ThrowIfNull(localAddress);
        ArgumentNullException.ThrowIfNull(capabilities);
        if (capabilities.Codecs.Count == 0)
        {
            throw new ArgumentException("At least one codec is required.", nameof(capabilities));
        }

        _address = localAddress;
        LocalRtpPort = localRtpPort;
        _capabilities = capabilities;
        Span<byte> random = stackalloc byte[4];
        RandomNumberGenerator.Fill(random);
        _sessionId = BitConverter.ToUInt32(random) & 0x7FFFFFFF;
        _version = _sessionId;
    }

    public int LocalRtpPort { get; }

    /// <summary>The media agreed by the last completed exchange.</summary>
    public NegotiatedMedia? Current { get; private set; }

    /// <summary>An initial offer or a re-offer (for example sendonly to hold the peer).</summary>
    public SessionDescription CreateOffer(MediaDirection direction = MediaDirection.SendRecv)
    {
        var formats = new List<string>();
        var attributes = new List<SdpAttribute>();
        foreach (var codec in _capabilities.Codecs)
        {
            formats.Add(Format(codec.StaticPayloadType));
            attributes.Add(new SdpAttribute("rtpmap", $"{Format(codec.StaticPayloadType)} {codec.Name}/8000"));
        }

        if (_capabilities.TelephoneEvent)
        {
            var pt = Format(_capabilities.TelephoneEventPayloadType);
            formats.Add(pt);
            attributes.Add(new SdpAttribute("rtpmap", $"{pt} telephone-event/8000"));
            attributes.Add(new SdpAttribute("fmtp", $"{pt} 0-16"));
        }

        if (_capabilities.RtcpMux)
        {
            attributes.Add(new SdpAttribute("rtcp-mux"));
        }

        attributes.Add(new SdpAttribute("ptime", Format(_capabilities.PtimeMilliseconds)));
        attributes.Add(new SdpAttribute(direction.ToAttribute()));
        var offer = Describe([new MediaDescription("audio", LocalRtpPort, "RTP/AVP", formats, null, attributes, [])]);
        _pendingOffer = offer;
        return offer;
    }

    /// <summary>Processes the answer to our last offer.</summary>
    public OfferAnswerResult ProcessAnswer(SessionDescription answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (_pendingOffer is not { } offer)
        {
            return Fail("an answer arrived but no offer is outstanding");
        }

        if (answer.Media.Count != offer.Media.Count)
        {
            return Fail($"the answer has {answer.Media.Count} media sections; the offer had {offer.Media.Count}");
        }

        var stream = answer.Media[0];
        if (stream.IsRejected)
        {
            return Fail("the peer rejected the audio stream (port 0)");
        }

        var offered = offer.Media[0];
        var chosen = ChooseCodec(stream, offered.Formats.ToHashSet(StringComparer.Ordinal));
        if (chosen is null)
        {
            return Fail($"the answer has no codec we offered (answered formats {string.Join(' ', stream.Formats)})");
        }

        var ourDirection = offered.Direction ?? MediaDirection.SendRecv;
        // RFC 5761 5.1.1: multiplexed only when we offered it and the answer accepts it.
        var mux = offered.HasAttribute("rtcp-mux") && stream.HasAttribute("rtcp-mux");
        var result = Negotiate(answer, stream, chosen.Value, ourDirection, mux);
        if (result.Media is not null)
        {
            _pendingOffer = null;
            Current = result.Media;
        }

        return result;
    }

    /// <summary>Answers an offer or re-offer; <paramref name="localDirection"/> is what we want (sendrecv normally).</summary>
    public OfferAnswerResult AnswerOffer(SessionDescription offer, MediaDirection localDirection = MediaDirection.SendRecv)
    {
        ArgumentNullException.ThrowIfNull(offer);
        var answerMedia = new List<MediaDescription>();
        NegotiatedMedia? negotiated = null;
        var reasons = new List<string>();
        foreach (var stream in offer.Media)
        {
            if (negotiated is not null || !stream.Media.Equals("audio", StringComparison.OrdinalIgnoreCase) || stream.IsRejected)
            {
                answerMedia.Add(Reject(stream));
                if (!stream.Media.Equals("audio", StringComparison.OrdinalIgnoreCase))
                {
                    reasons.Add($"{stream.Media} is not supported");
                }

                continue;
            }

            if (!stream.Protocol.Equals("RTP/AVP", StringComparison.OrdinalIgnoreCase))
            {
                answerMedia.Add(Reject(stream));
                reasons.Add($"transport {stream.Protocol} is not supported (RTP/AVP only)");
                continue;
            }

            var chosen = ChooseCodec(stream, null);
            if (chosen is null)
            {
                answerMedia.Add(Reject(stream));
                reasons.Add($"no common codec (offered {DescribeFormats(stream)}; we support {string.Join(", ", _capabilities.Codecs)})");
                continue;
            }

            var mux = _capabilities.RtcpMux && stream.HasAttribute("rtcp-mux");
            var result = Negotiate(offer, stream, chosen.Value, localDirection, mux);
            if (result.Media is null)
            {
                answerMedia.Add(Reject(stream));
                reasons.Add(result.Error!);
                continue;
            }

            negotiated = result.Media;
            answerMedia.Add(AnswerStream(chosen.Value, negotiated.Options.Direction, mux));
        }

        if (negotiated is null)
        {
            return Fail(reasons.Count == 0 ? "the offer has no audio stream" : string.Join("; ", reasons));
        }

        Current = negotiated;
        _pendingOffer = null;
        return new OfferAnswerResult(Describe(answerMedia), negotiated, null);
    }

    private MediaDescription AnswerStream(Choice chosen, MediaDirection direction, bool rtcpMux)
    {
        var codecPt = Format(chosen.AudioPayloadType);
        var formats = new List<string> { codecPt };
        var attributes = new List<SdpAttribute> { new("rtpmap", $"{codecPt} {chosen.Codec.Name}/8000") };
        if (chosen.EventPayloadType is { } eventPayloadType)
        {
            var pt = Format(eventPayloadType);
            formats.Add(pt);
            attributes.Add(new SdpAttribute("rtpmap", $"{pt} telephone-event/8000"));
            attributes.Add(new SdpAttribute("fmtp", $"{pt} 0-16"));
            if (chosen.RedundancyPayloadType is { } redundancy)
            {
                var red = Format(redundancy);
                formats.Insert(1, red);
                attributes.Add(new SdpAttribute("rtpmap", $"{red} red/8000"));
                attributes.Add(new SdpAttribute("fmtp", $"{red} {pt}/{pt}/{pt}"));
            }
        }

        if (rtcpMux)
        {
            attributes.Add(new SdpAttribute("rtcp-mux"));
        }

        attributes.Add(new SdpAttribute("ptime", Format(_capabilities.PtimeMilliseconds)));
        attributes.Add(new SdpAttribute(direction.ToAttribute()));
        return new MediaDescription("audio", LocalRtpPort, "RTP/AVP", formats, null, attributes, []);
    }

    private static MediaDescription Reject(MediaDescription stream) =>
        new(stream.Media, 0, stream.Protocol, stream.Formats.Count == 0 ? ["0"] : [stream.Formats[0]], null, [], []);

    private static OfferAnswerResult Negotiate(SessionDescription remote, MediaDescription stream, Choice chosen, MediaDirection localDirection, bool rtcpMux)
    {
        var connection = stream.Connection ?? remote.Connection;
        if (connection?.TryGetAddress() is not { } address)
        {
            return Fail(connection is null ? "the audio stream has no connection address (c=)" : $"connection address '{connection.Address}' is not an IP address");
        }

        var remoteDirection = stream.Direction ?? remote.Direction ?? MediaDirection.SendRecv;
        if (connection.IsHoldAddress)
        {
            // RFC 2543 hold: the peer will not receive.
            remoteDirection = remoteDirection.Receives() ? (remoteDirection.Sends() ? MediaDirection.SendOnly : MediaDirection.Inactive) : remoteDirection;
        }

        var sends = localDirection.Sends() && remoteDirection.Receives();
        var receives = localDirection.Receives() && remoteDirection.Sends();
        var direction = (sends, receives) switch
        {
            (true, true) => MediaDirection.SendRecv,
            (true, false) => MediaDirection.SendOnly,
            (false, true) => MediaDirection.RecvOnly,
            _ => MediaDirection.Inactive,
        };

        var rtp = new IPEndPoint(address, stream.Port);
        var rtcp = new IPEndPoint(address, stream.Port + 1);
        if (rtcpMux)
        {
            rtcp = rtp;
        }
        else if (stream.Attribute("rtcp") is { } rtcpValue)
        {
            // RFC 3605: a=rtcp:<port> [IN IP4 <address>]
            var parts = rtcpValue.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 0 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var rtcpPort) && rtcpPort is > 0 and <= 65535)
            {
                var rtcpAddress = parts.Length == 4 && IPAddress.TryParse(parts[3], out var a) ? a : address;
                rtcp = new IPEndPoint(rtcpAddress, rtcpPort);
            }
        }

        int? ptime = int.TryParse(stream.Attribute("ptime"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p > 0 ? p : null;
        int? maxptime = int.TryParse(stream.Attribute("maxptime"), NumberStyles.None, CultureInfo.InvariantCulture, out var m) && m > 0 ? m : null;
        var options = new RtpSessionOptions(chosen.Codec, chosen.AudioPayloadType, chosen.EventPayloadType, direction)
        {
            RedundancyPayloadType = chosen.RedundancyPayloadType,
            RtcpMux = rtcpMux,
            PacketTimeMilliseconds = OutboundPacketTime(ptime, maxptime),
        };
        return new OfferAnswerResult(null, new NegotiatedMedia(options, rtp, rtcp) { RemotePtimeMilliseconds = ptime }, null);
    }

    // RFC 4566: a=ptime is the packet length the peer wants to receive, a=maxptime the longest it
    // accepts. Without ptime we keep 20 ms (within maxptime); lengths are kept within what G.711
    // peers use (10-120 ms).
    internal static int OutboundPacketTime(int? ptime, int? maxptime)
    {
        var chosen = ptime ?? 20;
        if (maxptime is { } max && chosen > max)
        {
            chosen = max;
        }

        return Math.Clamp(chosen, RtpSessionOptions.MinPacketTime, RtpSessionOptions.MaxPacketTime);
    }

    // The first format (in the peer's order of preference) that we support; telephone-event by rtpmap.
    private Choice? ChooseCodec(MediaDescription stream, HashSet<string>? allowed)
    {
        var maps = stream.RtpMaps();
        Choice? choice = null;
        byte? eventPt = null;
        byte? redPt = null;
        foreach (var format in stream.Formats)
        {
            if (!byte.TryParse(format, NumberStyles.None, CultureInfo.InvariantCulture, out var pt) || pt > 127)
            {
                continue;
            }

            maps.TryGetValue(pt, out var map);
            if (map is { } r && r.Encoding.Equals("red", StringComparison.OrdinalIgnoreCase))
            {
                if (r.ClockRate == 8000 && _capabilities.TelephoneEvent)
                {
                    redPt ??= pt;
                }

                continue;
            }

            if (map is { } m && m.Encoding.Equals("telephone-event", StringComparison.OrdinalIgnoreCase))
            {
                if (m.ClockRate == 8000 && _capabilities.TelephoneEvent)
                {
                    eventPt ??= pt;
                }

                continue;
            }

            var codec = map is { } named
                ? (named.ClockRate == 8000 && named.Channels == 1 ? AudioCodec.FromName(named.Encoding) : null)
                : AudioCodec.FromStaticPayloadType(pt);
            if (choice is null && codec is not null && _capabilities.Codecs.Contains(codec) && (allowed is null || allowed.Contains(format)))
            {
                choice = new Choice(codec, pt, null);
            }
        }

        if (choice is not { } c)
        {
            return null;
        }

        // RFC 2198 redundancy is taken only when it carries nothing but our telephone-events.
        if (redPt is { } red && eventPt is { } events && !RedundancyCarriesOnly(stream, red, events))
        {
            redPt = null;
        }

        return c with { EventPayloadType = eventPt, RedundancyPayloadType = eventPt is null ? null : redPt };
    }

    private static bool RedundancyCarriesOnly(MediaDescription stream, byte red, byte events)
    {
        var prefix = Format(red) + " ";
        var fmtp = stream.Attributes.FirstOrDefault(a => a.Name.Equals("fmtp", StringComparison.OrdinalIgnoreCase) && a.Value is not null && a.Value.StartsWith(prefix, StringComparison.Ordinal));
        return fmtp?.Value is { } value && value[prefix.Length..].Trim().Split('/').All(p => p == Format(events));
    }

    private static string DescribeFormats(MediaDescription stream)
    {
        var maps = stream.RtpMaps();
        return string.Join(", ", stream.Formats.Select(f =>
            int.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out var pt) && maps.TryGetValue(pt, out var map) ? map.Encoding
            : AudioCodec.FromStaticPayloadType(pt)?.Name ?? $"PT {f}"));
    }

    private SessionDescription Describe(IReadOnlyList<MediaDescription> media)
    {
        var connection = SdpConnection.For(_address);
        SessionDescription Build(ulong version) => new(
            new SdpOrigin("opensma", _sessionId, version, connection.AddressType, connection.Address),
            "opensma",
            connection,
            [],
            media,
            []);

        var body = Build(0).ToString();
        if (!string.Equals(body, _lastBody, StringComparison.Ordinal))
        {
            if (_lastBody is not null)
            {
                _version++;
            }

            _lastBody = body;
        }

        return Build(_version);
    }

    private static OfferAnswerResult Fail(string error) => new(null, null, error);

    private static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    private readonly record struct Choice(AudioCodec Codec, byte AudioPayloadType, byte? EventPayloadType)
    {
        public byte? RedundancyPayloadType { get; init; }
    }
}
