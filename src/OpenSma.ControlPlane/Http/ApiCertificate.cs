using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace OpenSma.ControlPlane.Http;

/// <summary>
/// HTTPS for the API: the certificate named by the <c>ControlPlane:Https</c> section,
/// <code>
/// "Https": { "CertificatePath": "/etc/opensma/api.pem", "KeyPath": "/etc/opensma/api.key" }
/// "Https": { "CertificatePath": "/etc/opensma/api.pfx", "Password": "..." }
/// </code>
/// (a PEM certificate with its PEM key, or a PKCS#12 file), served for every <c>https://</c>
/// address the host listens on.
/// </summary>
public static class ApiCertificate
{
    /// <summary>The configured certificate, or null when the section names none. A file that is
    /// missing or unreadable fails with the key named.</summary>
    public static X509Certificate2? Load(IConfiguration? controlPlaneSection)
    {
        var https = controlPlaneSection?.GetSection("Https");
        if (https?["CertificatePath"] is not { Length: > 0 } certificatePath)
        {
            return https?["KeyPath"] is { Length: > 0 }
                ? throw new InvalidOperationException($"{Key(https, "KeyPath")} is set but {Key(https, "CertificatePath")} is not.")
                : null;
        }

        if (!File.Exists(certificatePath))
        {
            throw new InvalidOperationException($"{Key(https, "CertificatePath")} '{certificatePath}' does not exist.");
        }

        var keyPath = https["KeyPath"];
        try
        {
            if (keyPath is { Length: > 0 })
            {
                return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            }

            if (IsPem(certificatePath))
            {
                // A PEM file may hold the certificate and its key together.
                return X509Certificate2.CreateFromPemFile(certificatePath);
            }

            return X509CertificateLoader.LoadPkcs12FromFile(certificatePath, https["Password"]);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"{Key(https, "CertificatePath")} '{certificatePath}' could not be loaded{(keyPath is { Length: > 0 } ? $" with {Key(https, "KeyPath")} '{keyPath}'" : "")}: {ex.Message}", ex);
        }
    }

    /// <summary>Lets Kestrel serve <c>https://</c> addresses with <paramref name="certificate"/>
    /// (a slim host has no HTTPS address support until asked for it).</summary>
    public static IWebHostBuilder UseApiCertificate(this IWebHostBuilder builder, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(certificate);
        builder.UseKestrelHttpsConfiguration();
        return builder.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate));
    }

    private static bool IsPem(string path)
    {
        using var reader = new StreamReader(path);
        var buffer = new char[64];
        var read = reader.ReadBlock(buffer, 0, buffer.Length);
        return new string(buffer, 0, read).TrimStart().StartsWith("-----BEGIN", StringComparison.Ordinal);
    }

    private static string Key(IConfigurationSection section, string key) => section.Path + ":" + key;
}
