using System.Globalization;

namespace OpenSma.ControlPlane.S3;

/// <summary>A single HTTP byte range (RFC 9110 §14.1.2): <c>bytes=a-b</c>, <c>bytes=a-</c> or <c>bytes=-n</c>.
/// Anything else (several ranges, other units) is ignored and the whole object is served, as S3 does.</summary>
internal static class ByteRange
{
    /// <param name="first">The first byte, or null for a suffix range.</param>
    /// <param name="last">The last byte (or the suffix length), or null when open-ended.</param>
    public static bool TryParse(string header, out long? first, out long? last)
    {
        first = null;
        last = null;
        if (!header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || header.Contains(',', StringComparison.Ordinal))
        {
            return false;
        }

        var spec = header["bytes=".Length..].Trim();
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return false;
        }

        var (a, b) = (spec[..dash], spec[(dash + 1)..]);
        if (a.Length > 0)
        {
            if (!long.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out var f))
            {
                return false;
            }

            first = f;
        }

        if (b.Length > 0)
        {
            if (!long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var l))
            {
                return false;
            }

            last = l;
        }

        return (first is not null || last is not null) && !(first is { } x && last is { } y && y < x);
    }

    /// <summary>The offset and length to send; false when the range cannot be satisfied (416).</summary>
    public static bool Resolve(long? first, long? last, long size, out long offset, out long length)
    {
        if (first is null)
        {
            // Suffix: the last n bytes.
            var n = Math.Min(last!.Value, size);
            offset = size - n;
            length = n;
            return n > 0;
        }

        offset = first.Value;
        var end = Math.Min(last ?? (size - 1), size - 1);
        length = end - offset + 1;
        return offset < size;
    }
}
