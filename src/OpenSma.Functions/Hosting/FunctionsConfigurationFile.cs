using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using OpenSma.Functions.Client;
using OpenSma.Functions.Registry;

namespace OpenSma.Functions.Hosting;

/// <summary>
/// The <c>Functions:Functions</c> list of a configuration file (what <c>opensma serve</c> and
/// <c>opensma call</c> register at start), edited in place by <c>opensma functions ... --config</c>.
/// Everything else in the file is kept as it is.
/// </summary>
public sealed class FunctionsConfigurationFile
{
    private readonly string _path;

    public FunctionsConfigurationFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = Path.GetFullPath(path);
    }

    /// <summary>The functions as serve reads them; none when the file does not exist.</summary>
    /// <exception cref="FunctionConfigurationException">The file is not valid JSON or an entry is incomplete.</exception>
    public IReadOnlyList<FunctionSummary> List()
    {
        if (!File.Exists(_path))
            return [];
        var options = new FunctionsOptions();
        try
        {
            var configuration = new ConfigurationBuilder().AddJsonFile(_path, optional: false).Build();
            FunctionsOptions.Bind(configuration.GetSection("Functions"), options);
        }
        catch (InvalidDataException e)
        {
            throw new FunctionConfigurationException($"{_path}: {e.Message}", e);
        }
        return [.. options.Functions.Select(d => new FunctionSummary(
            d.Name, d.Runtime, d.Handler, d.MemorySize, d.Timeout, d.CodeDirectory ?? d.ZipFile, d.ReservedConcurrency, d.Environment))];
    }

    /// <summary>Adds the entry, or replaces the one with the same name; the file is created when missing.</summary>
    /// <exception cref="FunctionConfigurationException">The definition is invalid, or the file is not a JSON object.</exception>
    public void Put(FunctionDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        FunctionRegistry.Check(definition);
        var root = Load();
        var list = FunctionList(root, create: true)!;
        var entry = Entry(definition);
        var index = IndexOf(list, definition.Name);
        if (index >= 0)
            list[index] = entry;
        else
            list.Add(entry);
        Save(root);
    }

    /// <returns>False when the file has no entry of that name.</returns>
    public bool Remove(string name)
    {
        if (!File.Exists(_path))
            return false;
        var root = Load();
        var list = FunctionList(root, create: false);
        var index = list is null ? -1 : IndexOf(list, name);
        if (index < 0)
            return false;
        list!.RemoveAt(index);
        Save(root);
        return true;
    }

    private JsonObject Load()
    {
        if (!File.Exists(_path))
            return [];
        try
        {
            return JsonNode.Parse(File.ReadAllText(_path), documentOptions: new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            }) as JsonObject ?? throw new FunctionConfigurationException($"{_path} does not hold a JSON object.");
        }
        catch (JsonException e)
        {
            throw new FunctionConfigurationException($"{_path} is not valid JSON: {e.Message}", e);
        }
    }

    private void Save(JsonObject root)
    {
        var directory = Path.GetDirectoryName(_path)!;
        Directory.CreateDirectory(directory);
        // Written beside the file and moved over it, so a failure never leaves half a file.
        var temporary = Path.Combine(directory, $".{Path.GetFileName(_path)}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(temporary, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        File.Move(temporary, _path, overwrite: true);
    }

    /// <summary>Configuration keys are case-insensitive, so the file may spell the sections either way.</summary>
    private static JsonArray? FunctionList(JsonObject root, bool create)
    {
        var section = Child(root, "Functions");
        if (section is null)
        {
            if (!create)
                return null;
            section = new JsonObject();
            root["Functions"] = section;
        }
        if (section is not JsonObject functions)
            throw new FunctionConfigurationException("The Functions section must be a JSON object.");
        var list = Child(functions, "Functions");
        if (list is null)
        {
            if (!create)
                return null;
            list = new JsonArray();
            functions["Functions"] = list;
        }
        return list as JsonArray ?? throw new FunctionConfigurationException("Functions:Functions must be a JSON array.");
    }

    private static JsonNode? Child(JsonObject parent, string name) =>
        parent.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    private static int IndexOf(JsonArray list, string name)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is JsonObject entry && Child(entry, nameof(FunctionDefinition.Name)) is JsonValue value
                && value.TryGetValue<string>(out var text) && text == name)
                return i;
        }
        return -1;
    }

    private static JsonObject Entry(FunctionDefinition d)
    {
        var entry = new JsonObject
        {
            [nameof(d.Name)] = d.Name,
            [nameof(d.Runtime)] = d.Runtime,
            [nameof(d.Handler)] = d.Handler,
        };
        // Absolute paths: serve and call may start from another folder.
        if (d.CodeDirectory is not null)
            entry[nameof(d.CodeDirectory)] = Path.GetFullPath(d.CodeDirectory);
        if (d.ZipFile is not null)
            entry[nameof(d.ZipFile)] = Path.GetFullPath(d.ZipFile);
        entry[nameof(d.MemorySize)] = d.MemorySize;
        entry[nameof(d.Timeout)] = d.Timeout;
        if (d.ReservedConcurrency is { } reserved)
            entry[nameof(d.ReservedConcurrency)] = reserved;
        if (d.Description.Length > 0)
            entry[nameof(d.Description)] = d.Description;
        if (d.Environment.Count > 0)
        {
            var env = new JsonObject();
            foreach (var (key, value) in d.Environment)
                env[key] = value;
            entry[nameof(d.Environment)] = env;
        }
        return entry;
    }

    public override string ToString() => _path.ToString(CultureInfo.InvariantCulture);
}
