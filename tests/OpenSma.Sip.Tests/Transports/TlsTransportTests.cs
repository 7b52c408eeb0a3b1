using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using OpenSma.Sip.Core;
using OpenSma.Sip.Messages;
using OpenSma.Sip.Parsing;
using OpenSma.Sip.Tests.Core;
using OpenSma.Sip.Transactions;
using OpenSma.Sip.Transports;

namespace OpenSma.Sip.Tests.Transports;

/// <summary>SIP over TLS on loopback with a self-signed certificate made for the test.</summary>
public sealed class TlsTransportTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    private static SipTlsOptions Options(X509Certificate2 cert) =>
        new() { Certificate = cert, ServerCertificateValidation = (_, c, _, _) => c is not null && c.GetCertHashString() == cert.GetCertHashString() };

    [Fact]
    public async Task Tls_OptionsFromTlsClient_IsAnsweredOverTls()
    {
        using var cert = SelfSigned();
        var core = new SipCore(TimeProvider.System, SipTimerSettings.Default, NullLogger.Instance);
        await using var transport = new TcpSipTransport(new IPEndPoint(IPAddress.Loopback, 0), tls: Options(cert));
        core.AddTransport(transport);
        await transport.StartAsync(core, CancellationToken.None);
        Assert.Equal("TLS", transport.Protocol);

        using var client = new TcpClient();
        await client.ConnectAsync(transport.LocalEndPoint);
        await using var ssl = new SslStream(client.GetStream(), false, (_, c, _, _) => c is not null && c.GetCertHashString() == cert.GetCertHashString());
        using var cts = new CancellationTokenSource(Patience);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "127.0.0.1" }, cts.Token);
        var local = (IPEndPoint)client.Client.LocalEndPoint!;
        await ssl.WriteAsync(Encoding.UTF8.GetBytes(CoreHarness.Request("OPTIONS", via: $"127.0.0.1:{local.Port}").Replace("UDP", "TLS", StringComparison.Ordinal)), cts.Token);

        var parser = new SipMessageParser();
        var buffer = new List<byte>();
        var chunk = new byte[4096];
        SipParseResult result;
        do
        {
            var n = await ssl.ReadAsync(chunk, cts.Token);
            Assert.True(n > 0);
            buffer.AddRange(chunk.AsSpan(0, n));
            result = parser.ParseStream(new System.Buffers.ReadOnlySequence<byte>(buffer.ToArray()));
        }
        while (!result.IsComplete);

        Assert.Equal(200, Assert.IsType<SipResponse>(result.Message).StatusCode);
    }

    [Fact]
    public async Task Tls_RequestToTlsPeer_ConnectsOutAndGetsResponse()
    {
        using var cert = SelfSigned();
        var server = new SipCore(TimeProvider.System, SipTimerSettings.Default, NullLogger.Instance);
        await using var serverTransport = new TcpSipTransport(new IPEndPoint(IPAddress.Loopback, 0), tls: Options(cert));
        server.AddTransport(serverTransport);
        await serverTransport.StartAsync(server, CancellationToken.None);

        var client = new SipCore(TimeProvider.System, SipTimerSettings.Default, NullLogger.Instance);
        await using var clientTransport = new TcpSipTransport(new IPEndPoint(IPAddress.Loopback, 0), tls: Options(cert));
        client.AddTransport(clientTransport);
        await clientTransport.StartAsync(client, CancellationToken.None);

        var target = SipUri.Parse($"sip:ping@127.0.0.1:{serverTransport.LocalEndPoint.Port};transport=tls");
        var request = new SipRequest("OPTIONS", target);
        request.Headers.Add("From", "<sip:a@127.0.0.1>;tag=1").Add("To", $"<{target}>").Add("Call-ID", "tls-1").Add("CSeq", "1 OPTIONS");
        var answered = new TaskCompletionSource<SipResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (client.Gate)
        {
            Assert.NotNull(client.SendRequest(request, target, (_, r) => answered.TrySetResult(r)));
        }

        var response = await answered.Task.WaitAsync(Patience);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("TLS", response.TopVia!.Transport);
    }
}
