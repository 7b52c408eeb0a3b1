namespace OpenSma.Sip.Messages;

/// <summary>
/// A set of the methods this stack knows (<see cref="SipMethods"/>), one bit each: what a dialog
/// keeps of the peer's Allow header instead of the list of strings. Extension methods are not
/// recorded (nothing asks about them).
/// </summary>
[Flags]
internal enum SipMethodSet : ushort
{
    None = 0,
    Invite = 1 << 0,
    Ack = 1 << 1,
    Bye = 1 << 2,
    Cancel = 1 << 3,
    Options = 1 << 4,
    Register = 1 << 5,
    Info = 1 << 6,
    Update = 1 << 7,
    Prack = 1 << 8,
    Refer = 1 << 9,
    Notify = 1 << 10,
    Subscribe = 1 << 11,
    Message = 1 << 12,

    /// <summary>Set when the set was read from a header at all: an Allow naming only extensions still counts as sent.</summary>
    Present = 1 << 15,
}

internal static class SipMethodSets
{
    /// <summary>The bit of a known method (compared without case, as peers' Allow lists are read leniently), else None.</summary>
    public static SipMethodSet Of(string method) => method.ToUpperInvariant() switch
    {
        SipMethods.Invite => SipMethodSet.Invite,
        SipMethods.Ack => SipMethodSet.Ack,
        SipMethods.Bye => SipMethodSet.Bye,
        SipMethods.Cancel => SipMethodSet.Cancel,
        SipMethods.Options => SipMethodSet.Options,
        SipMethods.Register => SipMethodSet.Register,
        SipMethods.Info => SipMethodSet.Info,
        SipMethods.Update => SipMethodSet.Update,
        SipMethods.Prack => SipMethodSet.Prack,
        SipMethods.Refer => SipMethodSet.Refer,
        SipMethods.Notify => SipMethodSet.Notify,
        SipMethods.Subscribe => SipMethodSet.Subscribe,
        SipMethods.Message => SipMethodSet.Message,
        _ => SipMethodSet.None,
    };

    /// <summary>The methods of a message's Allow header(s); None when it has none (or none that parses).</summary>
    public static SipMethodSet FromAllow(SipMessage message)
    {
        if (message.Headers.GetValues(SipHeaderNames.Allow) is not { Count: > 0 } allow)
        {
            return SipMethodSet.None;
        }

        var set = SipMethodSet.Present;
        foreach (var method in allow)
        {
            set |= Of(method);
        }

        return set;
    }
}
