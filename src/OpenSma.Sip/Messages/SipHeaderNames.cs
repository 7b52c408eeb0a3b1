namespace OpenSma.Sip.Messages;

/// <summary>Canonical header names and the compact forms of RFC 3261 §7.3.3 and later RFCs.</summary>
public static class SipHeaderNames
{
    public const string Via = "Via";
    public const string From = "From";
    public const string To = "To";
    public const string CallId = "Call-ID";
    public const string CSeq = "CSeq";
    public const string Contact = "Contact";
    public const string MaxForwards = "Max-Forwards";
    public const string ContentLength = "Content-Length";
    public const string ContentType = "Content-Type";
    public const string ContentEncoding = "Content-Encoding";
    public const string Route = "Route";
    public const string RecordRoute = "Record-Route";
    public const string Expires = "Expires";
    public const string Allow = "Allow";
    public const string Supported = "Supported";
    public const string Require = "Require";
    public const string Unsupported = "Unsupported";
    public const string UserAgent = "User-Agent";
    public const string Server = "Server";
    public const string Subject = "Subject";
    public const string Event = "Event";
    public const string ReferTo = "Refer-To";
    public const string ReferredBy = "Referred-By";
    public const string SessionExpires = "Session-Expires";
    public const string MinSE = "Min-SE";
    public const string RSeq = "RSeq";
    public const string RAck = "RAck";
    public const string WwwAuthenticate = "WWW-Authenticate";
    public const string ProxyAuthenticate = "Proxy-Authenticate";
    public const string Authorization = "Authorization";
    public const string ProxyAuthorization = "Proxy-Authorization";
    public const string RetryAfter = "Retry-After";
    public const string Accept = "Accept";
    public const string MinExpires = "Min-Expires";
    public const string Date = "Date";
    public const string AllowEvents = "Allow-Events";
    public const string SubscriptionState = "Subscription-State";
    public const string Replaces = "Replaces";
    public const string InfoPackage = "Info-Package";
    public const string RecvInfo = "Recv-Info";

    private static readonly Dictionary<string, string> Canonical = BuildCanonical();

    private static Dictionary<string, string> BuildCanonical()
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["i"] = CallId, ["m"] = Contact, ["e"] = ContentEncoding, ["l"] = ContentLength,
            ["c"] = ContentType, ["f"] = From, ["s"] = Subject, ["k"] = Supported, ["t"] = To,
            ["v"] = Via, ["o"] = Event, ["r"] = ReferTo, ["b"] = ReferredBy, ["u"] = AllowEvents,
            ["x"] = SessionExpires,
        };
        foreach (var name in new[]
        {
            Via, From, To, CallId, CSeq, Contact, MaxForwards, ContentLength, ContentType, ContentEncoding,
            Route, RecordRoute, Expires, Allow, Supported, Require, Unsupported, UserAgent, Server, Subject,
            Event, ReferTo, ReferredBy, SessionExpires, MinSE, RSeq, RAck, WwwAuthenticate, ProxyAuthenticate,
            Authorization, ProxyAuthorization, RetryAfter, Accept, MinExpires, Date, AllowEvents, SubscriptionState, Replaces,
            InfoPackage, RecvInfo,
        })
        {
            map[name] = name;
        }

        return map;
    }

    /// <summary>Expands a compact form and fixes the case of a known name; unknown names stay as sent.</summary>
    public static string Normalize(string name) => Canonical.TryGetValue(name, out var canonical) ? canonical : name;

    private static readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> CanonicalBySpan = Canonical.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The canonical name for a known header, without allocating; unknown names become a new string.</summary>
    internal static string Normalize(ReadOnlySpan<char> name) => CanonicalBySpan.TryGetValue(name, out var canonical) ? canonical : name.ToString();
}
