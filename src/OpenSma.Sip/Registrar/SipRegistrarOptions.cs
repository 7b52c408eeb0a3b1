namespace OpenSma.Sip.Registrar;

public sealed record SipRegistrarOptions
{
    /// <summary>Shorter requested intervals get 423 Interval Too Brief.</summary>
    public int MinExpiresSeconds { get; init; } = 60;

    /// <summary>Longer requested intervals are shortened to this.</summary>
    public int MaxExpiresSeconds { get; init; } = 3600;

    /// <summary>Used when the REGISTER names no expiry.</summary>
    public int DefaultExpiresSeconds { get; init; } = 3600;
}
