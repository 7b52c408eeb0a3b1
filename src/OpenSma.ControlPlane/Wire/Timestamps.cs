using System.Globalization;

namespace OpenSma.ControlPlane.Wire;

/// <summary>Iso8601Timestamp members: RFC 3339 strings in UTC (the JS SDK rejects epoch numbers).</summary>
internal static class Timestamps
{
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string? Format(DateTimeOffset? value) => value is null ? null : Format(value.Value);
}
