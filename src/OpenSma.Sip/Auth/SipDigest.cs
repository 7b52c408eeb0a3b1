using System.Security.Cryptography;
using System.Text;

namespace OpenSma.Sip.Auth;

/// <summary>The digest computation of RFC 7616 as RFC 8760 applies it to SIP: MD5 and SHA-256, qop=auth.</summary>
internal static class SipDigest
{
    public static bool IsSupported(string? algorithm) => Normalize(algorithm) is "MD5" or "SHA-256";

    public static string Normalize(string? algorithm) => string.IsNullOrEmpty(algorithm) ? "MD5" : algorithm.ToUpperInvariant();

    public static string Hash(string algorithm, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
#pragma warning disable CA5351 // MD5 is what RFC 8760 digest peers still use; SHA-256 is offered first.
        var digest = Normalize(algorithm) == "SHA-256" ? SHA256.HashData(bytes) : MD5.HashData(bytes);
#pragma warning restore CA5351
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>response = H(H(A1):nonce[:nc:cnonce:qop]:H(A2)), A1 = user:realm:password, A2 = method:uri.</summary>
    public static string Response(string algorithm, string username, string realm, string password, string method, string uri, string nonce, string? qop, string? nc, string? cnonce)
    {
        var ha1 = Hash(algorithm, $"{username}:{realm}:{password}");
        var ha2 = Hash(algorithm, $"{method}:{uri}");
        return qop is null
            ? Hash(algorithm, $"{ha1}:{nonce}:{ha2}")
            : Hash(algorithm, $"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}");
    }
}
