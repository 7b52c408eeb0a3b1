using System.Globalization;
using OpenSma.Aws.Signing;

namespace OpenSma.ControlPlane.Auth;

/// <summary>The parts of an <c>Authorization: AWS4-HMAC-SHA256 …</c> header.</summary>
internal sealed record SigV4Authorization(
    string AccessKeyId,
    string Date,
    string Region,
    string Service,
    IReadOnlyList<string> SignedHeaders,
    string Signature)
{
    public string Scope => SigV4.Scope(Date, Region, Service);

    /// <summary>Parses the header; null with a reason when it is not a well-formed SigV4 header.</summary>
    public static SigV4Authorization? TryParse(string header, out string? problem)
    {
        problem = null;
        if (!header.StartsWith(SigV4.Algorithm + " ", StringComparison.Ordinal))
        {
            problem = $"Authorization header requires the {SigV4.Algorithm} algorithm.";
            return null;
        }

        string? credential = null, signedHeaders = null, signature = null;
        foreach (var part in header[(SigV4.Algorithm.Length + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                problem = $"Authorization header has a malformed component '{part}'.";
                return null;
            }

            var value = part[(eq + 1)..];
            switch (part[..eq])
            {
                case "Credential": credential = value; break;
                case "SignedHeaders": signedHeaders = value; break;
                case "Signature": signature = value; break;
                default:
                    problem = $"Authorization header has an unknown component '{part[..eq]}'.";
                    return null;
            }
        }

        if (credential is null || signedHeaders is null || signature is null)
        {
            problem = "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.";
            return null;
        }

        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[0].Length == 0 || scope[4] != "aws4_request"
            || !DateTime.TryParseExact(scope[1], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            || scope[2].Length == 0 || scope[3].Length == 0)
        {
            problem = "Credential must have the form <AccessKeyId>/<yyyymmdd>/<region>/<service>/aws4_request.";
            return null;
        }

        var headers = signedHeaders.Split(';');
        if (headers.Any(h => h.Length == 0 || !h.All(c => !char.IsAsciiLetterUpper(c))))
        {
            problem = "SignedHeaders must be lower-case header names separated by ';'.";
            return null;
        }

        if (signature.Length != 64 || !signature.All(char.IsAsciiHexDigitLower))
        {
            problem = "Signature must be 64 lower-case hexadecimal characters.";
            return null;
        }

        return new SigV4Authorization(scope[0], scope[1], scope[2], scope[3], headers, signature);
    }
}
