using System.Text.Json;

namespace OpenSma.Engine.Contracts;

/// <summary>One action of a reply: its canonical type and its raw parameters.</summary>
/// <remarks>
/// The parameters are kept as the exact UTF-8 text the handler sent for them, not as an element of
/// the reply's document: a parsed reply keeps no document alive (about 0.5 KB per live call when
/// every action held a clone of the whole reply). <see cref="Parameters"/> parses that text each
/// time it is read, so read it once where it is needed; <see cref="Bind{T}"/> reads the text
/// directly.
/// </remarks>
public sealed record ActionRequest
{
    // The parameters' JSON text as received; null when the action had no Parameters.
    private readonly byte[]? _parametersUtf8;
    private HashSet<string>? _misshapen;

    public ActionRequest(string Type, JsonElement Parameters)
    {
        ArgumentNullException.ThrowIfNull(Type);
        this.Type = Type;
        _parametersUtf8 = Parameters.ValueKind == JsonValueKind.Undefined
            ? null
            : System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(Parameters).ToArray();
    }

    public string Type { get; }

    /// <summary>
    /// The parameters as the handler sent them (<see cref="JsonValueKind.Undefined"/> when absent),
    /// parsed from the kept text on each read into an element that owns its memory.
    /// </summary>
    public JsonElement Parameters
    {
        get
        {
            if (_parametersUtf8 is null)
            {
                return default;
            }

            var reader = new Utf8JsonReader(_parametersUtf8);
            return JsonElement.ParseValue(ref reader);
        }
    }

    /// <summary>Whether the parameters are a JSON object (what every action's parameters must be).</summary>
    internal bool HasObjectParameters => _parametersUtf8 is [(byte)'{', ..];

    /// <summary>True when the parameter was present but of the wrong JSON shape, and was read as absent.</summary>
    public bool WasMisshapen(string name) => _misshapen?.Contains(name) == true;

    /// <summary>
    /// Reads the parameters into the action's typed model; null when they are not an object. A
    /// parameter of the wrong JSON shape (a string where an object belongs) is read as absent, so
    /// the action reports that parameter's own error rather than failing as a whole.
    /// </summary>
    public T? Bind<T>(System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
        where T : class
    {
        if (!HasObjectParameters)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(_parametersUtf8, typeInfo);
        }
        catch (JsonException)
        {
            return BindDroppingMisshapen(typeInfo);
        }
    }

    private T? BindDroppingMisshapen<T>(System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
        where T : class
    {
        var copy = System.Text.Json.Nodes.JsonNode.Parse(_parametersUtf8)!.AsObject();
        for (var attempt = 0; attempt < 16; attempt++)
        {
            try
            {
                return copy.Deserialize(typeInfo);
            }
            catch (JsonException ex) when (TopLevelName(ex.Path) is { } name && copy.Remove(name))
            {
                (_misshapen ??= new(StringComparer.Ordinal)).Add(name);
            }
        }

        return null;
    }

    private static string? TopLevelName(string? path)
    {
        // "$.RecordingDestination" or "$.Endpoints[0].Uri" or "$['X-Y']"
        if (path is null || path.Length < 3 || path[0] != '$')
        {
            return null;
        }

        if (path[1] == '.')
        {
            var end = path.IndexOfAny(['.', '['], 2);
            return end < 0 ? path[2..] : path[2..end];
        }

        if (path.StartsWith("$['", StringComparison.Ordinal))
        {
            var end = path.IndexOf("']", 3, StringComparison.Ordinal);
            return end < 0 ? null : path[3..end];
        }

        return null;
    }
}

public enum AttributesChange
{
    /// <summary>Absent or null: stored attributes stay as they are (spec §8).</summary>
    Keep,
    /// <summary><c>{}</c>: every attribute is cleared.</summary>
    Clear,
    /// <summary>A non-empty object replaces the stored map whole.</summary>
    Replace,
}

/// <summary>A reply that passed the response-level checks of spec §9.3.</summary>
/// <param name="Actions">Null when <c>Actions</c> was absent or null; may be empty.</param>
public sealed record HandlerResponse(
    IReadOnlyList<ActionRequest>? Actions,
    AttributesChange AttributesChange,
    IReadOnlyDictionary<string, string>? Attributes)
{
    public bool HasActions => Actions is { Count: > 0 };
}

public enum ResponseVerdict
{
    /// <summary>Accepted; see <see cref="ResponseParseResult.Response"/>.</summary>
    Ok,
    /// <summary>Blank, not JSON, or a missing/mismatched SchemaVersion: counts as an invocation failure.</summary>
    Unreadable,
    /// <summary>Valid JSON with a semantic problem: answered with INVALID_LAMBDA_RESPONSE.</summary>
    Invalid,
}

public sealed record ResponseParseResult(ResponseVerdict Verdict, HandlerResponse? Response, string? ErrorType, string ErrorMessage)
{
    public static ResponseParseResult Unreadable(string message) => new(ResponseVerdict.Unreadable, null, null, message);

    public static ResponseParseResult Invalid(string errorType, string message) => new(ResponseVerdict.Invalid, null, errorType, message);
}
