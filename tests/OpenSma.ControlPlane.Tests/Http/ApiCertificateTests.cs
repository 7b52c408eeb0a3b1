using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenSma.ControlPlane.Http;
using OpenSma.ControlPlane.Tests.Infrastructure;
using OpenSma.Engine.Control;
using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Tests.Http;

/// <summary>The API over HTTPS with a configured certificate: the AWS CLI trusts it through
/// <c>--ca-bundle</c> and runs a command; bad settings name their key.</summary>
public sealed class ApiCertificateTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("opensma-https-").FullName;

    [Fact]
    public async Task UseApiCertificate_PemCertificateAndKey_AwsCliTalksHttps()
    {
        var (certificatePath, keyPath) = WriteSelfSigned();
        var certificate = ApiCertificate.Load(Section(new() { ["ControlPlane:Https:CertificatePath"] = certificatePath, ["ControlPlane:Https:KeyPath"] = keyPath }))!;
        await using var app = await StartAsync(certificate);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Assert.StartsWith("https://", address, StringComparison.Ordinal);

        var created = await ClientProcess.RunAsync("aws", [
            "chime-sdk-voice", "create-sip-media-application", "--aws-region", "us-east-1", "--name", "over-tls",
            "--endpoints", "LambdaArn=arn:aws:lambda:us-east-1:123456789012:function:tls",
            "--endpoint-url", address, "--ca-bundle", certificatePath, "--output", "json"]);
        // Without trusting the certificate the CLI must refuse the connection: the API really is TLS.
        var untrusted = await ClientProcess.RunAsync("aws", ["chime-sdk-voice", "list-sip-media-applications", "--endpoint-url", address, "--output", "json"]);

        Assert.Equal("over-tls", created.Json().GetProperty("SipMediaApplication").GetProperty("Name").GetString());
        Assert.NotEqual(0, untrusted.ExitCode);
        Assert.Contains("SSL", untrusted.StdErr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Load_Pkcs12WithPassword_ServesTheSameCertificate()
    {
        using var original = SelfSigned();
        var pfx = Path.Combine(_directory, "api.pfx");
        await File.WriteAllBytesAsync(pfx, original.Export(X509ContentType.Pkcs12, "s3cret"));
        var loaded = ApiCertificate.Load(Section(new() { ["ControlPlane:Https:CertificatePath"] = pfx, ["ControlPlane:Https:Password"] = "s3cret" }))!;
        await using var app = await StartAsync(loaded);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        string? seen = null;
        using var client = new HttpClient(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                seen = certificate?.Thumbprint;
                return true;
            },
        });

        using var response = await client.GetAsync(address + "/sip-media-applications");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(original.Thumbprint, seen);
    }

    [Fact]
    public void Load_NoHttpsSection_IsNull()
    {
        Assert.Null(ApiCertificate.Load(Section(new() { ["ControlPlane:AwsRegion"] = "us-east-1" })));
        Assert.Null(ApiCertificate.Load(null));
    }

    [Theory]
    [InlineData("missing.pem", null, "ControlPlane:Https:CertificatePath")]
    [InlineData("garbage.pem", null, "ControlPlane:Https:CertificatePath")]
    [InlineData(null, "key.pem", "ControlPlane:Https:KeyPath")]
    public void Load_BadSetting_FailsNamingTheKey(string? certificate, string? key, string named)
    {
        File.WriteAllText(Path.Combine(_directory, "garbage.pem"), "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        var values = new Dictionary<string, string?>();
        if (certificate is not null)
        {
            values["ControlPlane:Https:CertificatePath"] = Path.Combine(_directory, certificate);
        }

        if (key is not null)
        {
            values["ControlPlane:Https:KeyPath"] = Path.Combine(_directory, key);
        }

        var error = Assert.Throws<InvalidOperationException>(() => ApiCertificate.Load(Section(values)));

        Assert.StartsWith(named + " ", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static IConfigurationSection Section(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("ControlPlane");

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=opensma-test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
    }

    private (string Certificate, string Key) WriteSelfSigned()
    {
        using var certificate = SelfSigned();
        var certificatePath = Path.Combine(_directory, "api.pem");
        var keyPath = Path.Combine(_directory, "api.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n", Encoding.ASCII);
        File.WriteAllText(keyPath, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n", Encoding.ASCII);
        return (certificatePath, keyPath);
    }

    private async Task<WebApplication> StartAsync(X509Certificate2 certificate)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("https://127.0.0.1:0");
        builder.WebHost.UseApiCertificate(certificate);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ICallControl>(new RecordingCallControl());
        builder.Services.AddOpenSmaControlPlane(new ControlPlaneOptions
        {
            Store = ResourceStoreOptions.ForSqlite(Path.Combine(_directory, "data")),
            SigV4 = new SigV4Options { Mode = SigV4Mode.Off },
        });
        var app = builder.Build();
        app.MapChimeSdkVoiceApi();
        await app.StartAsync();
        return app;
    }
}
