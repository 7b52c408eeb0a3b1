using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace OpenSma.ControlPlane.Http;

/// <summary>Validated access to query members, named by their wire names in messages.</summary>
internal static class QueryReader
{
    public static string? String(HttpRequest request, string name, bool required = false, Regex? pattern = null)
    {
        var values = request.Query[name];
        if (values.Count == 0)
        {
            if (required)
            {
                throw JsonBody.Bad($"Query parameter {name} is required.");
            }

            return null;
        }

        var text = values[^1] ?? "";
        if (pattern is not null)
        {
            JsonBody.CheckString(name, text, 0, int.MaxValue, pattern);
        }

        return text;
    }

    public static string? Enum(HttpRequest request, string name, IReadOnlyCollection<string> allowed, bool required = false)
    {
        var text = String(request, name, required);
        if (text is not null && !allowed.Contains(text))
        {
            throw JsonBody.Bad($"Query parameter {name} must be one of: {string.Join(", ", allowed)}.");
        }

        return text;
    }

    public static int? Int(HttpRequest request, string name, int min, int max)
    {
        var text = String(request, name);
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw JsonBody.Bad($"Query parameter {name} must be an integer between {min} and {max}.");
        }

        return value;
    }
}
