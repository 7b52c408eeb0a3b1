using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using OpenSma.Sip.Parsing;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip.Tests.Transports;

/// <summary>The connection bounds on a TLS listener: a client that connects and never handshakes is closed as idle; the per-address cap holds before any handshake.</summary>
public sealed class TlsConnectionLimitTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    private sealed class NullSink : ISipMessageSink
    {
        public void OnMessage(SipInbound inbound)
        {
        }

        public void OnParseFailure(SipParseResult result, SipRemote remote)
        {
        }
    }

    [Fact]
    public async Task ClientThatNeverHandshakes_IsClosedOnceIdle()
    {
        using var cert = SelfSigned();
        var time = new FakeTimeProvider();
        await using var transport = new TcpSipTransport(
            new IPEndPoint(IPAddress.Loopback, 0), tls: new SipTlsOptions { Certificate = cert },
            connections: new SipConnectionOptions { IdleTimeout = TimeSpan.FromSeconds(60), MaxInboundConnectionsPerAddress = 1 }, time: time);
        await transport.StartAsync(new NullSink(), CancellationToken.None);

        using var silent = new TcpClient();
        await silent.ConnectAsync(transport.LocalEndPoint);
        using (var cts = new CancellationTokenSource(Patience))
        {
            while (transport.Statistics.Inbound == 0)
            {
                await Task.Delay(10, cts.Token);
            }
        }

        // A second connection from the same address is over the cap of one, handshake or not.
        using (var second = new TcpClient())
        {
            try
            {
                await second.ConnectAsync(transport.LocalEndPoint);
                using var cts = new CancellationTokenSource(Patience);
                Assert.Equal(0, await second.GetStream().ReadAsync(new byte[16], cts.Token));
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
                // Reset at accept.
            }
        }

        Assert.Equal(1, transport.Statistics.RefusedOverAddressCap);

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, transport.Statistics.IdleClosed);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, transport.Statistics.IdleClosed);

        using (var cts = new CancellationTokenSource(Patience))
        {
            try
            {
                Assert.Equal(0, await silent.GetStream().ReadAsync(new byte[16], cts.Token));
            }
            catch (IOException)
            {
                // A reset is a close too.
            }

            while (transport.Statistics.Open > 0 || transport.Statistics.Inbound > 0)
            {
                await Task.Delay(10, cts.Token);
            }
        }
    }
}
