using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OpenSma.ControlPlane.Auth;
using OpenSma.Aws.Signing;

namespace OpenSma.ControlPlane.S3;

/// <summary>
/// Decodes an <c>aws-chunked</c> body: <c>hex-size[;chunk-signature=sig]\r\n data \r\n</c> repeated,
/// a zero-size chunk, then optional trailing headers (a checksum, and for signed trailers
/// <c>x-amz-trailer-signature</c>). With a signing context every chunk signature is checked
/// against the chain that starts at the request signature.
/// </summary>
internal static class AwsChunkedDecoder
{
    private const string TrailerSignatureName = "x-amz-trailer-signature";
    private static readonly string EmptySha256 = SigV4.Hex(SHA256.HashData([]));

    public sealed record Decoded(byte[] Content, IReadOnlyDictionary<string, string> Trailers);

    public static Decoded Decode(ReadOnlySpan<byte> body, S3Signing? signing)
    {
        var content = new MemoryStream(body.Length);
        var previous = signing?.SeedSignature;
        var at = 0;
        while (true)
        {
            var header = ReadLine(body, ref at) ?? throw Incomplete("a chunk header is missing");
            var semicolon = header.IndexOf(';', StringComparison.Ordinal);
            var sizeText = semicolon < 0 ? header : header[..semicolon];
            if (!int.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
            {
                throw Incomplete($"the chunk size '{sizeText}' is not hexadecimal");
            }

            if (body.Length - at < size)
            {
                throw Incomplete("a chunk is shorter than its declared size");
            }

            var data = body.Slice(at, size);
            at += size;
            if (signing is not null)
            {
                var signature = semicolon < 0 ? null : Extension(header[(semicolon + 1)..], "chunk-signature");
                var stringToSign = $"AWS4-HMAC-SHA256-PAYLOAD\n{signing.AmzDate}\n{signing.Scope}\n{previous}\n{EmptySha256}\n{SigV4.Hex(SHA256.HashData(data))}";
                previous = Check(signing, stringToSign, signature);
            }

            content.Write(data);
            if (size == 0)
            {
                break;
            }

            if (ReadLine(body, ref at) is not "")
            {
                throw Incomplete("a chunk does not end with CRLF");
            }
        }

        var trailers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var trailerText = new StringBuilder();
        string? trailerSignature = null;
        while (ReadLine(body, ref at) is { Length: > 0 } line)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw Incomplete($"the trailer line '{line}' has no name");
            }

            var name = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            if (name == TrailerSignatureName)
            {
                trailerSignature = value;
                continue;
            }

            trailers[name] = value;
            trailerText.Append(name).Append(':').Append(value).Append('\n');
        }

        if (signing is not null && (trailers.Count > 0 || trailerSignature is not null))
        {
            var stringToSign = $"AWS4-HMAC-SHA256-TRAILER\n{signing.AmzDate}\n{signing.Scope}\n{previous}\n{SigV4.Hex(SHA256.HashData(Encoding.UTF8.GetBytes(trailerText.ToString())))}";
            Check(signing, stringToSign, trailerSignature);
        }

        return new Decoded(content.ToArray(), trailers);
    }

    private static string Check(S3Signing signing, string stringToSign, string? signature)
    {
        var expected = SigV4.Signature(signing.SigningKey, stringToSign);
        if (signature is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
        {
            throw new S3ErrorException(S3Error.SignatureDoesNotMatch());
        }

        return expected;
    }

    private static string? Extension(string extensions, string name)
    {
        foreach (var part in extensions.Split(';', StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith(name + "=", StringComparison.Ordinal))
            {
                return part[(name.Length + 1)..];
            }
        }

        return null;
    }

    /// <summary>The next CRLF-terminated line (a bare end of input ends the last line); null at the end.</summary>
    private static string? ReadLine(ReadOnlySpan<byte> body, ref int at)
    {
        if (at >= body.Length)
        {
            return null;
        }

        var rest = body[at..];
        var end = rest.IndexOf("\r\n"u8);
        var line = end < 0 ? rest : rest[..end];
        at += end < 0 ? rest.Length : end + 2;
        return Encoding.ASCII.GetString(line);
    }

    private static S3ErrorException Incomplete(string why) =>
        new(new S3Error("IncompleteBody", 400, "The aws-chunked request body is malformed: " + why + "."));
}
