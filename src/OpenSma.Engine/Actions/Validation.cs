using System.Text.RegularExpressions;
using OpenSma.Engine.Contracts;

namespace OpenSma.Engine.Actions;

/// <summary>Checks shared by several executors.</summary>
internal static class Validation
{
    public static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>Every entry is one of 0-9, # and * (terminator lists).</summary>
    public static bool AreDigitKeys(IReadOnlyList<string>? keys)
    {
        if (keys is null)
        {
            return true;
        }

        foreach (var key in keys)
        {
            if (key.Length != 1 || !IsDigitKey(key[0]))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsDigitKey(char c) => c is (>= '0' and <= '9') or '#' or '*';

    public static bool Contains(IReadOnlyList<string>? keys, char digit)
    {
        if (keys is null)
        {
            return false;
        }

        foreach (var key in keys)
        {
            if (key.Length == 1 && key[0] == digit)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Compiles a handler-supplied regex with a match timeout; null when it is not valid.</summary>
    public static Regex? TryRegex(string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, RegexTimeout);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    public static bool IsMatch(Regex regex, string input)
    {
        try
        {
            return regex.IsMatch(input);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>E.164: '+' and up to 15 digits, the first not zero (spec §2.3).</summary>
    public static bool IsE164(string? number) =>
        number is { Length: >= 3 and <= 16 } && number[0] == '+' && number[1] is >= '1' and <= '9'
        && number.AsSpan(2).IndexOfAnyExceptInRange('0', '9') < 0;

    /// <summary>An AudioSource with Type S3, a bucket and a key (spec §7.4).</summary>
    public static bool IsCompleteSource(S3AudioSource? source) =>
        source is { Type: "S3", BucketName: not null, Key: not null };

    /// <summary>SipHeaders rules of spec §12; returns the first bad header name, or null.</summary>
    public static string? FirstInvalidSipHeader(IReadOnlyDictionary<string, string>? headers)
    {
        if (headers is null)
        {
            return null;
        }

        foreach (var (name, value) in headers)
        {
            var allowed = name.StartsWith("x-", StringComparison.OrdinalIgnoreCase)
                || name.Equals("User-to-User", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Diversion", StringComparison.OrdinalIgnoreCase);
            var reserved = name.StartsWith("x-amzn", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("x-vine", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("x-vc", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("x-canary", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("x-voice", StringComparison.OrdinalIgnoreCase);
            var wellFormed = name.Length > 2 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
                && value.Length <= 2048 && !value.Contains('\r', StringComparison.Ordinal) && !value.Contains('\n', StringComparison.Ordinal);
            if (!allowed || reserved || !wellFormed)
            {
                return name;
            }
        }

        return null;
    }
}
