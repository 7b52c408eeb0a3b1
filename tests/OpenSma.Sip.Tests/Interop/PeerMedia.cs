using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OpenSma.Sip.Tests.Interop;

/// <summary>What a SIP-level interop test needs for media: an SDP with a real RTP port in 37000-37999, and a silent WAV for a peer's microphone.</summary>
internal static class PeerMedia
{
    /// <summary>Binds a UDP socket on a free even port in 37000-37999, so the SDP names a port nobody else uses.</summary>
    public static Socket BindRtpPort()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = 37000 + (2 * Random.Shared.Next(500));
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return socket;
            }
            catch (SocketException)
            {
                socket.Dispose();
            }
        }

        throw new InvalidOperationException("no free RTP port in 37000-37999");
    }

    public static byte[] Sdp(Socket rtp) => Encoding.ASCII.GetBytes(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
        $"m=audio {((IPEndPoint)rtp.LocalEndPoint!).Port} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n");

    /// <summary>8 kHz mono 16-bit silence, long enough that the peer never reaches its end during a test.</summary>
    public static void WriteSilentWav(string path, int seconds = 120)
    {
        var samples = 8000 * seconds;
        var bytes = new byte[44 + (samples * 2)];
        var span = bytes.AsSpan();
        Encoding.ASCII.GetBytes("RIFF").CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], bytes.Length - 8);
        Encoding.ASCII.GetBytes("WAVEfmt ").CopyTo(span[8..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(span[20..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(span[22..], 1);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], 8000);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], 16000);
        BinaryPrimitives.WriteInt16LittleEndian(span[32..], 2);
        BinaryPrimitives.WriteInt16LittleEndian(span[34..], 16);
        Encoding.ASCII.GetBytes("data").CopyTo(span[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[40..], samples * 2);
        File.WriteAllBytes(path, bytes);
    }
}
