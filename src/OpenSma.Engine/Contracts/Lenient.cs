using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenSma.Engine.Contracts;

/// <summary>Whether a leniently read value was absent (missing, null or ""), valid, or unusable.</summary>
public enum LenientState : byte
{
    Absent,
    Value,
    Invalid,
}

/// <summary>
/// An integer parameter as handlers send it: a JSON number or a numeric string; <c>""</c> and
/// null count as absent (spec §4). Anything else is kept as <see cref="LenientState.Invalid"/> so
/// validation can name the parameter instead of failing the whole response.
/// </summary>
[JsonConverter(typeof(LenientIntConverter))]
public readonly record struct LenientInt(LenientState State, long Value)
{
    public bool IsAbsent => State == LenientState.Absent;

    public bool IsInvalid => State == LenientState.Invalid;

    public bool HasValue => State == LenientState.Value;

    public static LenientInt Of(long value) => new(LenientState.Value, value);

    public long GetValueOrDefault(long fallback) => HasValue ? Value : fallback;
}

/// <summary>A boolean sent as <c>true</c>/<c>false</c> or as a string of either (any case).</summary>
[JsonConverter(typeof(LenientBoolConverter))]
public readonly record struct LenientBool(LenientState State, bool Value)
{
    public bool HasValue => State == LenientState.Value;
}

internal sealed class LenientIntConverter : JsonConverter<LenientInt>
{
    public override bool HandleNull => true;

    public override LenientInt Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return default;
            case JsonTokenType.Number:
                if (reader.TryGetInt64(out var n))
                {
                    return LenientInt.Of(n);
                }

                // 3000.0 is a whole number; 1.5 is not.
                return reader.TryGetDouble(out var d) && d == Math.Floor(d) && Math.Abs(d) < long.MaxValue
                    ? LenientInt.Of((long)d)
                    : new LenientInt(LenientState.Invalid, 0);
            case JsonTokenType.String:
                var s = reader.GetString()!.Trim();
                if (s.Length == 0)
                {
                    return default;
                }

                return long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)
                    ? LenientInt.Of(parsed)
                    : new LenientInt(LenientState.Invalid, 0);
            default:
                reader.Skip();
                return new LenientInt(LenientState.Invalid, 0);
        }
    }

    public override void Write(Utf8JsonWriter writer, LenientInt value, JsonSerializerOptions options)
    {
        if (value.HasValue)
        {
            writer.WriteNumberValue(value.Value);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}

internal sealed class LenientBoolConverter : JsonConverter<LenientBool>
{
    public override bool HandleNull => true;

    public override LenientBool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return default;
            case JsonTokenType.True:
                return new LenientBool(LenientState.Value, true);
            case JsonTokenType.False:
                return new LenientBool(LenientState.Value, false);
            case JsonTokenType.String:
                var s = reader.GetString()!.Trim();
                if (s.Length == 0)
                {
                    return default;
                }

                if (bool.TryParse(s, out var b))
                {
                    return new LenientBool(LenientState.Value, b);
                }

                return new LenientBool(LenientState.Invalid, false);
            default:
                reader.Skip();
                return new LenientBool(LenientState.Invalid, false);
        }
    }

    public override void Write(Utf8JsonWriter writer, LenientBool value, JsonSerializerOptions options)
    {
        if (value.HasValue)
        {
            writer.WriteBooleanValue(value.Value);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}

/// <summary>
/// Strings: <c>""</c> reads as absent (AWS samples send <c>"ParticipantTag": ""</c>); numbers
/// and booleans are taken as their text; objects and arrays are not strings and read as absent
/// after being skipped, which validation then reports as a missing parameter.
/// </summary>
internal sealed class LenientStringConverter : JsonConverter<string?>
{
    public override bool HandleNull => true;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                var s = reader.GetString();
                return string.IsNullOrEmpty(s) ? null : s;
            case JsonTokenType.Number:
                return System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
            case JsonTokenType.True:
                return "true";
            case JsonTokenType.False:
                return "false";
            default:
                reader.Skip();
                return null;
        }
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }
}

/// <summary>A list of strings; a lone string is taken as a one-element list.</summary>
internal sealed class LenientStringListConverter : JsonConverter<IReadOnlyList<string>?>
{
    public override bool HandleNull => true;

    public override IReadOnlyList<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                var single = reader.GetString();
                return string.IsNullOrEmpty(single) ? null : [single];
            case JsonTokenType.StartArray:
                var list = new List<string>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        list.Add(reader.GetString()!);
                    }
                    else if (reader.TokenType == JsonTokenType.Number)
                    {
                        list.Add(reader.GetInt64().ToString(CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        // Not a string: keep a marker that fails the single-character check.
                        reader.Skip();
                        list.Add(string.Empty);
                    }
                }

                return list;
            default:
                reader.Skip();
                return [string.Empty];
        }
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<string>? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartArray();
        foreach (var item in value)
        {
            writer.WriteStringValue(item);
        }

        writer.WriteEndArray();
    }
}

/// <summary>A string-to-string map; non-string values are kept as their JSON text.</summary>
internal sealed class LenientStringMapConverter : JsonConverter<IReadOnlyDictionary<string, string>?>
{
    public override bool HandleNull => true;

    public override IReadOnlyDictionary<string, string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Expected an object of string values.");
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            reader.Read();
            map[key] = reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString()!,
                JsonTokenType.Null => string.Empty,
                JsonTokenType.True => "true",
                JsonTokenType.False => "false",
                JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
                _ => ReadRaw(ref reader),
            };
        }

        return map;
    }

    private static string ReadRaw(ref Utf8JsonReader reader)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        return doc.RootElement.GetRawText();
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, string>? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartObject();
        foreach (var (k, v) in value)
        {
            writer.WriteString(k, v);
        }

        writer.WriteEndObject();
    }
}
