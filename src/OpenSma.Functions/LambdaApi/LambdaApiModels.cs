using System.Text.Json.Serialization;

namespace OpenSma.Functions.LambdaApi;

// Lambda's restJson1 shapes (API version 2015-03-31), with AWS's member names.

internal sealed record FunctionCodeInput
{
    public byte[]? ZipFile { get; init; }

    public string? S3Bucket { get; init; }

    public string? S3Key { get; init; }

    public string? ImageUri { get; init; }
}

internal sealed record EnvironmentInput
{
    public Dictionary<string, string>? Variables { get; init; }
}

internal sealed record CreateFunctionInput
{
    public string? FunctionName { get; init; }

    public string? Runtime { get; init; }

    public string? Role { get; init; }

    public string? Handler { get; init; }

    public FunctionCodeInput? Code { get; init; }

    public string? Description { get; init; }

    public int? Timeout { get; init; }

    public int? MemorySize { get; init; }

    public EnvironmentInput? Environment { get; init; }

    public string? PackageType { get; init; }

    public bool Publish { get; init; }
}

internal sealed record UpdateFunctionCodeInput
{
    public bool Publish { get; init; }

    public byte[]? ZipFile { get; init; }

    public string? S3Bucket { get; init; }

    public string? S3Key { get; init; }

    public string? ImageUri { get; init; }
}

internal sealed record UpdateFunctionConfigurationInput
{
    public string? Runtime { get; init; }

    public string? Role { get; init; }

    public string? Handler { get; init; }

    public string? Description { get; init; }

    public int? Timeout { get; init; }

    public int? MemorySize { get; init; }

    public EnvironmentInput? Environment { get; init; }
}

internal sealed record PutConcurrencyInput
{
    public int? ReservedConcurrentExecutions { get; init; }
}

internal sealed record EnvironmentOutput(Dictionary<string, string> Variables);

internal sealed record FunctionConfigurationOutput
{
    public required string FunctionName { get; init; }

    public required string FunctionArn { get; init; }

    public required string Runtime { get; init; }

    public required string Role { get; init; }

    public required string Handler { get; init; }

    public long CodeSize { get; init; }

    public string Description { get; init; } = "";

    public int Timeout { get; init; }

    public int MemorySize { get; init; }

    public required string LastModified { get; init; }

    public required string CodeSha256 { get; init; }

    public string Version { get; init; } = "$LATEST";

    public EnvironmentOutput? Environment { get; init; }

    public string State { get; init; } = "Active";

    public string LastUpdateStatus { get; init; } = "Successful";

    public string PackageType { get; init; } = "Zip";

    public string[] Architectures { get; init; } = ["x86_64"];
}

internal sealed record FunctionCodeLocationOutput(string RepositoryType, string Location);

internal sealed record ConcurrencyOutput(int ReservedConcurrentExecutions);

internal sealed record GetFunctionOutput(FunctionConfigurationOutput Configuration, FunctionCodeLocationOutput Code, ConcurrencyOutput? Concurrency);

internal sealed record ListFunctionsOutput(IReadOnlyList<FunctionConfigurationOutput> Functions);

internal sealed record LambdaErrorOutput(
    string Type,
    [property: JsonPropertyName("message")] string Message,
    string? Reason = null);

/// <summary>One line of <c>GET /opensma/functions/{name}/logs</c>.</summary>
internal sealed record FunctionLogLine(
    DateTimeOffset Timestamp,
    string FunctionName,
    string RequestId,
    string? TransactionId,
    string Stream,
    string Text);

internal sealed record PublishVersionInput
{
    public string? Description { get; init; }

    public string? CodeSha256 { get; init; }
}

internal sealed record AliasInput
{
    public string? Name { get; init; }

    public string? FunctionVersion { get; init; }

    public string? Description { get; init; }
}

internal sealed record AliasConfigurationOutput(string AliasArn, string Name, string FunctionVersion, string Description, string RevisionId);

internal sealed record ListAliasesOutput(IReadOnlyList<AliasConfigurationOutput> Aliases);

internal sealed record ListVersionsOutput(IReadOnlyList<FunctionConfigurationOutput> Versions);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CreateFunctionInput))]
[JsonSerializable(typeof(UpdateFunctionCodeInput))]
[JsonSerializable(typeof(UpdateFunctionConfigurationInput))]
[JsonSerializable(typeof(PutConcurrencyInput))]
[JsonSerializable(typeof(FunctionConfigurationOutput))]
[JsonSerializable(typeof(GetFunctionOutput))]
[JsonSerializable(typeof(ListFunctionsOutput))]
[JsonSerializable(typeof(ConcurrencyOutput))]
[JsonSerializable(typeof(LambdaErrorOutput))]
[JsonSerializable(typeof(FunctionLogLine))]
[JsonSerializable(typeof(PublishVersionInput))]
[JsonSerializable(typeof(AliasInput))]
[JsonSerializable(typeof(AliasConfigurationOutput))]
[JsonSerializable(typeof(ListAliasesOutput))]
[JsonSerializable(typeof(ListVersionsOutput))]
internal sealed partial class LambdaJsonContext : JsonSerializerContext;
