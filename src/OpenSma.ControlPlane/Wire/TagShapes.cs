namespace OpenSma.ControlPlane.Wire;

internal sealed record TagShape(string Key, string Value);

internal sealed record TagListResponse(IReadOnlyList<TagShape> Tags);
