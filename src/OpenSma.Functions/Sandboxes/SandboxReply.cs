namespace OpenSma.Functions.Sandboxes;

internal enum SandboxReplyKind
{
    /// <summary>The runtime posted a response.</summary>
    Response,
    /// <summary>The runtime posted an invocation error (the handler threw).</summary>
    Error,
    /// <summary>The function timeout ran out; the process was killed.</summary>
    TimedOut,
    /// <summary>The process ended before it answered.</summary>
    Exited,
}

internal sealed record SandboxReply(SandboxReplyKind Kind, byte[] Body, string? ErrorType, string? Detail = null);

/// <summary>How a sandbox's init phase ended.</summary>
internal sealed record SandboxInit(bool Ready, bool TimedOut, byte[] ErrorBody, string? ErrorType, string? Detail)
{
    public static SandboxInit Success { get; } = new(true, false, [], null, null);
}
