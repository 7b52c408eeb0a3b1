namespace OpenSma.Functions.Registry;

/// <summary>A function as the registry holds it: the definition plus where its code ended up.</summary>
/// <param name="CodeRoot">The folder the runtime runs from (<c>LAMBDA_TASK_ROOT</c>).</param>
/// <param name="Revision">Grows with every change of code or configuration; warm sandboxes of an older revision are recycled.</param>
public sealed record RegisteredFunction(
    FunctionDefinition Definition,
    string Arn,
    string CodeRoot,
    bool WatchCode,
    string CodeSha256,
    long CodeSize,
    DateTimeOffset LastModified,
    long Revision)
{
    /// <summary>Lambda's name for the unpublished, editable version.</summary>
    public const string Latest = "$LATEST";

    public string Name => Definition.Name;

    /// <summary><see cref="Latest"/>, or the number of a published (immutable) version.</summary>
    public string Version { get; init; } = Latest;

    /// <summary>Sandboxes are kept per function version: a published version runs its own snapshot of the code.</summary>
    internal string PoolKey => Version == Latest ? Name : Name + ":" + Version;
}

/// <summary>A definition the registry cannot accept; the message says why.</summary>
public sealed class FunctionConfigurationException : Exception
{
    public FunctionConfigurationException(string message) : base(message) { }

    public FunctionConfigurationException() { }

    public FunctionConfigurationException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>CreateAlias for a name that is taken (Lambda's ResourceConflictException).</summary>
public sealed class AliasConflictException : Exception
{
    public AliasConflictException(string message) : base(message) { }

    public AliasConflictException() { }

    public AliasConflictException(string message, Exception innerException) : base(message, innerException) { }
}
