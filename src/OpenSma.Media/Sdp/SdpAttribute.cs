namespace OpenSma.Media.Sdp;

/// <summary>An a= line: a property attribute (no value) or a value attribute.</summary>
public sealed record SdpAttribute(string Name, string? Value = null)
{
    public override string ToString() => Value is null ? Name : $"{Name}:{Value}";
}

/// <summary>A line this model does not interpret (i=, u=, e=, p=, b=, z=, k=, r=), kept so it round-trips.</summary>
public sealed record SdpLine(char Type, string Value);
