using System.Text;
using System.Text.Json;

namespace OpenSma.Engine.Contracts;

/// <summary>
/// Reads a handler reply and applies the response-level rules of spec §4 and §9.3. Per-action
/// parameter problems are not checked here: they fail the action when it is reached (§7).
/// </summary>
public static class ResponseParser
{
    public const string SchemaVersion = "1.0";
    public const int MaxActions = 10;
    public const int MaxAttributePairs = 100;
    public const int MaxAttributeBytes = 20 * 1024;

    // Stable ErrorType names for INVALID_LAMBDA_RESPONSE beyond the one AWS documents (spec §9.3 [rec]).
    public const string TooManyActions = nameof(TooManyActions);
    public const string UnsupportedActionType = nameof(UnsupportedActionType);
    public const string InvalidActionsList = nameof(InvalidActionsList);
    public const string TransactionAttributesInvalidMapSize = nameof(TransactionAttributesInvalidMapSize);
    public const string InvalidTransactionAttributes = nameof(InvalidTransactionAttributes);

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    public static ResponseParseResult Parse(ReadOnlyMemory<byte> utf8)
    {
        var span = utf8.Span;
        if (IsBlank(span))
        {
            return ResponseParseResult.Unreadable("Response is blank or empty");
        }

        JsonDocument document;
        try
        {
            // Parsed into pooled buffers and returned at the end: nothing of the document outlives
            // this call (each action keeps its own parameters' text, attributes are strings).
            document = JsonDocument.Parse(utf8, DocumentOptions);
        }
        catch (JsonException ex)
        {
            return ResponseParseResult.Unreadable($"Response is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            return Read(document.RootElement);
        }
    }

    private static ResponseParseResult Read(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Null)
        {
            return ResponseParseResult.Unreadable("Response is blank or empty");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return ResponseParseResult.Unreadable($"Response must be a JSON object, not {root.ValueKind}.");
        }

        if (!root.TryGetProperty("SchemaVersion", out var schema)
            || (schema.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)))
        {
            return ResponseParseResult.Unreadable("Response has no SchemaVersion.");
        }

        // Compared in place: reading "1.0" into a string on every reply is garbage.
        if (!(schema.ValueKind == JsonValueKind.String ? schema.ValueEquals(SchemaVersion) : ReadScalar(schema) == SchemaVersion))
        {
            return ResponseParseResult.Unreadable(
                "The schema version in the invocation request does not match the schema version in the response.");
        }

        ActionRequest[]? actions = null;
        if (root.TryGetProperty("Actions", out var actionsElement) && actionsElement.ValueKind != JsonValueKind.Null)
        {
            if (actionsElement.ValueKind != JsonValueKind.Array)
            {
                return ResponseParseResult.Invalid(InvalidActionsList, "Error while reading actions list.");
            }

            var count = actionsElement.GetArrayLength();
            if (count > MaxActions)
            {
                return ResponseParseResult.Invalid(TooManyActions, "Too many actions specified in a response.");
            }

            // Exact size: the transaction keeps this array as its pending list.
            actions = count == 0 ? [] : new ActionRequest[count];
            var index = 0;
            foreach (var item in actionsElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object
                    || !item.TryGetProperty("Type", out var typeElement)
                    || typeElement.ValueKind != JsonValueKind.String)
                {
                    return ResponseParseResult.Invalid(InvalidActionsList, "Error while reading actions list.");
                }

                if (ActionTypes.Find(typeElement) is not { } type)
                {
                    return ResponseParseResult.Invalid(UnsupportedActionType, $"Unsupported action {typeElement.GetString()} specified");
                }

                item.TryGetProperty("Parameters", out var parameters);
                actions[index++] = new ActionRequest(type, parameters);
            }
        }

        var (change, attributes, error) = ReadAttributes(root);
        if (error is not null)
        {
            return error;
        }

        return new ResponseParseResult(ResponseVerdict.Ok, new HandlerResponse(actions, change, attributes), null, string.Empty);
    }

    private static (AttributesChange, IReadOnlyDictionary<string, string>?, ResponseParseResult?) ReadAttributes(JsonElement root)
    {
        if (!root.TryGetProperty("TransactionAttributes", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return (AttributesChange.Keep, null, null);
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return (AttributesChange.Keep, null, ResponseParseResult.Invalid(
                InvalidTransactionAttributes, "Transaction Attributes must be a map of string keys to string values."));
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var bytes = 0;
        foreach (var property in element.EnumerateObject())
        {
            // Values should be strings; other JSON values are stored as their text (spec §8 [rec]).
            var value = ReadScalar(property.Value) ?? property.Value.GetRawText();
            map[property.Name] = value;
            bytes += Encoding.UTF8.GetByteCount(property.Name) + Encoding.UTF8.GetByteCount(value);
        }

        if (map.Count > MaxAttributePairs)
        {
            return (AttributesChange.Keep, null, ResponseParseResult.Invalid(
                TransactionAttributesInvalidMapSize,
                $"Transaction Attributes has too many mappings. Maximum number of mappings is {MaxAttributePairs}"));
        }

        if (bytes > MaxAttributeBytes)
        {
            return (AttributesChange.Keep, null, ResponseParseResult.Invalid(
                TransactionAttributesInvalidMapSize,
                $"Transaction Attributes payload is too large. Maximum size is {MaxAttributeBytes / 1024} KB"));
        }

        // The call keeps the map until the next reply: an exact-size array, not the Dictionary.
        return map.Count == 0
            ? (AttributesChange.Clear, null, null)
            : (AttributesChange.Replace, new AttributeMap(map), null);
    }

    private static string? ReadScalar(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    private static bool IsBlank(ReadOnlySpan<byte> span)
    {
        foreach (var b in span)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF))
            {
                return false;
            }
        }

        return true;
    }
}
