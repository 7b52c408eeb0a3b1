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
    public string Name => Definition.Name;
}

/// <summary>A definition the registry cannot accept; the message says why.</summary>
public sealed class FunctionConfigurationException : Exception
{
    public FunctionConfigurationException(string message) : base(message) { }

    public FunctionConfigurationException() { }

    public FunctionConfigurationException(string message, Exception innerException) : base(message, innerException) { }
}
