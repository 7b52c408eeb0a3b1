namespace OpenSma.Functions.Client;

/// <summary>A function as <c>opensma functions list</c> shows it, from a server or a configuration file.</summary>
/// <param name="Code">The code folder or zip package, when known.</param>
public sealed record FunctionSummary(
    string Name,
    string Runtime,
    string Handler,
    int MemorySize,
    int Timeout,
    string? Code,
    int? ReservedConcurrency,
    IReadOnlyDictionary<string, string> Environment);
