namespace OpenSma.Sip.Messages;

/// <summary>One <c>;name[=value]</c> parameter; a null value is a flag parameter such as <c>lr</c>.</summary>
public readonly record struct SipParameter(string Name, string? Value);
