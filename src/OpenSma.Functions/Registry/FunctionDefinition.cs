namespace OpenSma.Functions.Registry;

/// <summary>
/// One function as the user configures it (configuration file entry, CLI, or Lambda
/// CreateFunction). Exactly one of <see cref="CodeDirectory"/> and <see cref="ZipFile"/> names the code.
/// </summary>
public sealed record FunctionDefinition
{
    public required string Name { get; init; }

    /// <summary>Lambda runtime identifier: nodejs20.x, python3.11, provided.al2023, ...</summary>
    public required string Runtime { get; init; }

    /// <summary>Lambda handler string: <c>index.handler</c>, <c>app.lambda_handler</c>.</summary>
    public string Handler { get; init; } = "index.handler";

    /// <summary>A folder holding the code; watched for hot reload.</summary>
    public string? CodeDirectory { get; init; }

    /// <summary>A zip package; extracted into the work directory.</summary>
    public string? ZipFile { get; init; }

    public int MemorySize { get; init; } = 128;

    /// <summary>Function timeout in seconds (Lambda default 3).</summary>
    public int Timeout { get; init; } = 3;

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Most sandboxes run at once; null takes <see cref="Hosting.FunctionsOptions.DefaultConcurrency"/>.</summary>
    public int? ReservedConcurrency { get; init; }

    public string Description { get; init; } = "";

    public string Role { get; init; } = "arn:aws:iam::000000000000:role/opensma-function";
}
