using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OpenSma.Engine.Tests.Golden;

/// <summary>
/// Golden-file plumbing: normalizes the volatile parts of an event (ids, clock readings) into
/// placeholders and compares it structurally with a checked-in JSON file.
///
/// To regenerate the files after an intended change of the event shape, run
///   OPENSMA_UPDATE_GOLDEN=1 dotnet test tests/OpenSma.Engine.Tests --filter "FullyQualifiedName~Golden"
/// which rewrites tests/OpenSma.Engine.Tests/Golden/*.json in the source tree (the tests still
/// fail in that run so nobody mistakes an update for a pass). Review the diff against the spec
/// before committing it.
/// </summary>
internal static partial class GoldenJson
{
    public const string UpdateVariable = "OPENSMA_UPDATE_GOLDEN";

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    /// <summary>The folder of this source file: where regenerated files are written.</summary>
    public static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    /// <summary>The copy of the golden files next to the test assembly.</summary>
    public static string OutputDirectory => Path.Combine(AppContext.BaseDirectory, "Golden");

    /// <summary>
    /// Replaces the values that differ from run to run: the transaction id and each leg's CallId
    /// (also inside recording keys), StartTimeInMilliseconds, and clock readings inside keys.
    /// Each replacement only matches the documented shape, so a wrong type or format still shows.
    /// </summary>
    public static JsonNode Normalize(JsonElement captured, IReadOnlyDictionary<string, string> ids)
    {
        var node = JsonNode.Parse(captured.GetRawText())!;
        return Rewrite(node, ids, propertyName: null)!;
    }

    /// <summary>Maps the transaction id and every CallId seen in any event of the call to placeholders.</summary>
    public static Dictionary<string, string> CollectIds(IEnumerable<JsonElement> events)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            var details = e.GetProperty("CallDetails");
            ids.TryAdd(details.GetProperty("TransactionId").GetString()!, "<TransactionId>");
            foreach (var p in details.GetProperty("Participants").EnumerateArray())
            {
                ids.TryAdd(p.GetProperty("CallId").GetString()!, $"<CallId:{p.GetProperty("ParticipantTag").GetString()}>");
            }
        }

        return ids;
    }

    private static JsonNode? Rewrite(JsonNode? node, IReadOnlyDictionary<string, string> ids, string? propertyName)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    var child = obj[name];
                    obj[name] = Rewrite(child?.DeepClone(), ids, name);
                }

                return obj;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    array[i] = Rewrite(array[i]?.DeepClone(), ids, null);
                }

                return array;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                var text = value.GetValue<string>();
                if (propertyName == "StartTimeInMilliseconds" && EpochMilliseconds().IsMatch(text))
                {
                    return JsonValue.Create("<EpochMilliseconds>");
                }

                foreach (var (id, placeholder) in ids)
                {
                    text = text.Replace(id, placeholder, StringComparison.Ordinal);
                }

                // Recording keys carry clock readings: RecordAudio ends in _<epoch ms>.wav,
                // StartCallRecording has a yyyy/MM/dd/yyyy-MM-dd-HH-mm-ss-fff_ path (spec §11.2).
                text = KeyEpoch().Replace(text, "_<EpochMilliseconds>.wav");
                text = KeyDate().Replace(text, "<yyyy>/<MM>/<dd>/<yyyy-MM-dd-HH-mm-ss-fff>_");
                return JsonValue.Create(text);
            default:
                return node;
        }
    }

    /// <summary>Differences between expected and actual, one line each with its JSON path; empty when equal.</summary>
    public static List<string> Diff(JsonNode? expected, JsonNode? actual, string path = "$")
    {
        var differences = new List<string>();
        Compare(expected, actual, path, differences);
        return differences;
    }

    private static void Compare(JsonNode? expected, JsonNode? actual, string path, List<string> differences)
    {
        var expectedKind = expected?.GetValueKind() ?? JsonValueKind.Null;
        var actualKind = actual?.GetValueKind() ?? JsonValueKind.Null;
        if (expectedKind != actualKind)
        {
            differences.Add($"{path}: expected {expectedKind} {Show(expected)}, got {actualKind} {Show(actual)}");
            return;
        }

        switch (expected)
        {
            case JsonObject e:
                var a = (JsonObject)actual!;
                foreach (var (name, value) in e)
                {
                    if (!a.ContainsKey(name))
                    {
                        differences.Add($"{path}.{name}: missing (expected {Show(value)})");
                    }
                    else
                    {
                        Compare(value, a[name], $"{path}.{name}", differences);
                    }
                }

                foreach (var (name, value) in a)
                {
                    if (!e.ContainsKey(name))
                    {
                        differences.Add($"{path}.{name}: unexpected property {Show(value)}");
                    }
                }

                break;
            case JsonArray e:
                var arr = (JsonArray)actual!;
                if (e.Count != arr.Count)
                {
                    differences.Add($"{path}: expected {e.Count} elements, got {arr.Count}: {Show(arr)}");
                    return;
                }

                for (var i = 0; i < e.Count; i++)
                {
                    Compare(e[i], arr[i], $"{path}[{i}]", differences);
                }

                break;
            case null:
                break;
            default:
                // Scalars: same kind already; numbers compare by value text, strings exactly.
                if (expected.ToJsonString() != actual!.ToJsonString())
                {
                    differences.Add($"{path}: expected {Show(expected)}, got {Show(actual)}");
                }

                break;
        }
    }

    private static string Show(JsonNode? node) => node is null ? "null" : node.ToJsonString(Indented).ReplaceLineEndings(" ");

    public static string ToFileText(JsonNode node) => node.ToJsonString(Indented).ReplaceLineEndings("\n") + "\n";

    /// <summary>Checks <paramref name="actual"/> against Golden/<paramref name="name"/>.json, or rewrites it when updating.</summary>
    public static void AssertMatches(string name, JsonNode actual)
    {
        var fileName = name + ".json";
        if (Updating)
        {
            File.WriteAllText(Path.Combine(SourceDirectory(), fileName), ToFileText(actual), new UTF8Encoding(false));
            Assert.Fail($"{UpdateVariable}=1: rewrote Golden/{fileName}; run again without it to verify.");
        }

        var path = Path.Combine(OutputDirectory, fileName);
        Assert.True(File.Exists(path), $"No golden file {path}. Generate it with {UpdateVariable}=1. Actual:\n{ToFileText(actual)}");
        var expected = JsonNode.Parse(File.ReadAllText(path));
        var differences = Diff(expected, actual);
        Assert.True(differences.Count == 0, $"Event differs from Golden/{fileName}:\n  {string.Join("\n  ", differences)}\nActual:\n{ToFileText(actual)}");
    }

    [GeneratedRegex(@"^\d{13}$")]
    private static partial Regex EpochMilliseconds();

    [GeneratedRegex(@"_\d{13}\.wav$")]
    private static partial Regex KeyEpoch();

    [GeneratedRegex(@"\d{4}/\d{2}/\d{2}/\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-\d{3}_")]
    private static partial Regex KeyDate();
}
