using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace OpenSma.ControlPlane.Http;

/// <summary>
/// Reads and validates a restJson1 request body member by member. Every failure is a
/// BadRequestException whose message names the member (with its path for nested members),
/// because the JS SDK validates nothing and boto3 checks neither patterns nor maxima.
/// </summary>
internal sealed class JsonBody
{
    private readonly JsonElement _element;
    private readonly string _path;

    private JsonBody(JsonElement element, string path)
    {
        _element = element;
        _path = path;
    }

    public static async Task<JsonBody> ReadAsync(HttpContext context)
    {
        var request = context.Request;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        if (buffer.Length == 0)
        {
            return Empty;
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Bad("The request body must be a JSON object.");
            }

            return new JsonBody(document.RootElement.Clone(), "");
        }
        catch (JsonException ex)
        {
            throw Bad($"The request body is not valid JSON: {ex.Message}");
        }
    }

    public static JsonBody Empty { get; } = new(JsonDocument.Parse("{}").RootElement.Clone(), "");

    public bool Has(string name) => _element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    public string? String(string name, bool required = false, int minLength = 0, int maxLength = int.MaxValue, Regex? pattern = null)
    {
        if (!TryGet(name, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw Bad($"{PathOf(name)} must be a string.");
        }

        var text = value.GetString()!;
        CheckString(PathOf(name), text, minLength, maxLength, pattern);
        return text;
    }

    public string? NonEmptyString(string name, bool required = false)
    {
        var text = String(name, required);
        if (text is not null && !Patterns.IsNonEmpty(text))
        {
            throw Bad($"{PathOf(name)} must not be empty.");
        }

        return text;
    }

    public string? Enum(string name, IReadOnlyCollection<string> allowed, bool required = false)
    {
        var text = String(name, required);
        if (text is not null && !allowed.Contains(text))
        {
            throw Bad($"{PathOf(name)} must be one of: {string.Join(", ", allowed)}.");
        }

        return text;
    }

    public bool? Bool(string name, bool required = false)
    {
        if (!TryGet(name, required, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Bad($"{PathOf(name)} must be a boolean."),
        };
    }

    public int? Int(string name, bool required = false, int min = int.MinValue, int max = int.MaxValue)
    {
        if (!TryGet(name, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
        {
            throw Bad($"{PathOf(name)} must be an integer.");
        }

        if (number < min || number > max)
        {
            throw Bad(max == int.MaxValue
                ? $"{PathOf(name)} must be at least {min}."
                : $"{PathOf(name)} must be between {min} and {max}.");
        }

        return number;
    }

    public JsonBody? Object(string name, bool required = false)
    {
        if (!TryGet(name, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Bad($"{PathOf(name)} must be an object.");
        }

        return new JsonBody(value, PathOf(name));
    }

    /// <summary>A list of structures; each item is handed out as a body with an indexed path.</summary>
    public IReadOnlyList<JsonBody>? ObjectList(string name, bool required = false, int minItems = 0, int maxItems = int.MaxValue)
    {
        var items = Array(name, required, minItems, maxItems);
        if (items is null)
        {
            return null;
        }

        var result = new List<JsonBody>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = string.Create(CultureInfo.InvariantCulture, $"{PathOf(name)}[{i}]");
            if (items[i].ValueKind != JsonValueKind.Object)
            {
                throw Bad($"{itemPath} must be an object.");
            }

            result.Add(new JsonBody(items[i], itemPath));
        }

        return result;
    }

    public IReadOnlyList<string>? StringList(
        string name,
        bool required = false,
        int minItems = 0,
        int maxItems = int.MaxValue,
        int minLength = 0,
        int maxLength = int.MaxValue,
        Regex? pattern = null)
    {
        var items = Array(name, required, minItems, maxItems);
        if (items is null)
        {
            return null;
        }

        var result = new List<string>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = string.Create(CultureInfo.InvariantCulture, $"{PathOf(name)}[{i}]");
            if (items[i].ValueKind != JsonValueKind.String)
            {
                throw Bad($"{itemPath} must be a string.");
            }

            var text = items[i].GetString()!;
            CheckString(itemPath, text, minLength, maxLength, pattern);
            result.Add(text);
        }

        return result;
    }

    public Dictionary<string, string>? StringMap(string name, bool required = false, int maxEntries = int.MaxValue)
    {
        if (!TryGet(name, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Bad($"{PathOf(name)} must be an object of strings.");
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                throw Bad($"{PathOf(name)}.{property.Name} must be a string.");
            }

            result[property.Name] = property.Value.GetString()!;
        }

        if (result.Count > maxEntries)
        {
            throw Bad($"{PathOf(name)} must have at most {maxEntries} entries.");
        }

        return result;
    }

    public static AwsErrorException Bad(string message) => new(AwsError.BadRequest(message));

    public static void CheckString(string path, string text, int minLength, int maxLength, Regex? pattern)
    {
        if (text.Length < minLength)
        {
            throw Bad(minLength == 1 ? $"{path} must not be empty." : $"{path} must be at least {minLength} characters long.");
        }

        if (text.Length > maxLength)
        {
            throw Bad($"{path} must be at most {maxLength} characters long.");
        }

        if (pattern is not null && !pattern.IsMatch(text))
        {
            throw Bad($"{path} does not match the pattern {pattern}.");
        }
    }

    private List<JsonElement>? Array(string name, bool required, int minItems, int maxItems)
    {
        if (!TryGet(name, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Bad($"{PathOf(name)} must be a list.");
        }

        var items = value.EnumerateArray().ToList();
        if (items.Count < minItems || items.Count > maxItems)
        {
            throw Bad(maxItems == int.MaxValue
                ? $"{PathOf(name)} must have at least {minItems} item(s)."
                : $"{PathOf(name)} must have between {minItems} and {maxItems} item(s).");
        }

        return items;
    }

    private bool TryGet(string name, bool required, out JsonElement value)
    {
        if (_element.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        if (required)
        {
            throw Bad($"{PathOf(name)} is required.");
        }

        return false;
    }

    private string PathOf(string name) => _path.Length == 0 ? name : _path + "." + name;
}
