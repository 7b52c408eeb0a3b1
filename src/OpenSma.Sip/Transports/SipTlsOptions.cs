using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace OpenSma.Sip.Transports;

/// <summary>TLS for SIP over TCP: our certificate, and how to judge the certificates of servers we connect to.</summary>
public sealed record SipTlsOptions
{
    /// <summary>Presented to clients that connect to us (and to servers that ask for one).</summary>
    public required X509Certificate2 Certificate { get; init; }

    /// <summary>
    /// Decides on a server's certificate when we connect out. Null means the platform's normal
    /// validation (chain and name), which is what a production trunk needs.
    /// </summary>
    public RemoteCertificateValidationCallback? ServerCertificateValidation { get; init; }

    /// <summary>The name expected in server certificates when we connect by address; defaults to the address.</summary>
    public string? TargetHost { get; init; }

    internal async Task<Stream> AuthenticateServerAsync(NetworkStream network, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(network, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsServerAsync(
            new SslServerAuthenticationOptions { ServerCertificate = Certificate, ClientCertificateRequired = false },
            cancellationToken).ConfigureAwait(false);
        return ssl;
    }

    internal async Task<Stream> AuthenticateClientAsync(NetworkStream network, IPEndPoint remote, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(network, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = TargetHost ?? remote.Address.ToString(),
                RemoteCertificateValidationCallback = ServerCertificateValidation,
                ClientCertificates = [Certificate],
            },
            cancellationToken).ConfigureAwait(false);
        return ssl;
    }
}
