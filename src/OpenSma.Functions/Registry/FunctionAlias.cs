namespace OpenSma.Functions.Registry;

/// <summary>A Lambda alias: a name that points at one version of a function.</summary>
public sealed record FunctionAlias(string FunctionName, string Name, string FunctionVersion, string Description, string Arn, string RevisionId);
