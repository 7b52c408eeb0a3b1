using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using OpenSma.Engine.Legs;
using OpenSma.Engine.Virtual;
using OpenSma.Telephony;

namespace OpenSma.Host.Calls;

/// <summary>
/// serve's <c>VirtualPhones</c> section: scripted virtual phones by number, in the script
/// syntax of <c>opensma call --callee</c> (<see cref="CallScript.ParseParty"/>):
/// <code>
/// "VirtualPhones": { "+15550100001": "answer@2s;say=agent.wav@0.5s;digits=1@3s;hangup=10s",
///                    "+1 555 010 0002": "busy", "tel:+1-555-010-0003": "reject:486" }
/// </code>
/// Keys and dialled targets are numbers read as number routing reads them
/// (<see cref="PhoneNumberText.ToE164"/>: E.164 with or without '+', visual separators, tel: URIs,
/// a sip: URI's user part). Read and checked once at start-up: WAV files are loaded then, and a bad
/// entry (a script, a key that is not a number, two keys for one number) stops serve with an error
/// naming the key and the part that is wrong.
/// </summary>
internal sealed class VirtualPhones
{
    public const string Section = "VirtualPhones";

    public static readonly VirtualPhones None = new([]);

    private readonly Dictionary<string, VirtualPhone> _byNumber;

    private VirtualPhones(IReadOnlyList<VirtualPhone> phones)
    {
        Phones = phones;
        _byNumber = phones.ToDictionary(p => p.Number, StringComparer.Ordinal);
    }

    /// <summary>The configured phones, in configuration order.</summary>
    public IReadOnlyList<VirtualPhone> Phones { get; }

    public int Count => Phones.Count;

    /// <summary>Reads the section (absent or empty: no phones); throws <see cref="InvalidOperationException"/> naming the bad key.</summary>
    public static VirtualPhones Read(IConfiguration? configuration)
    {
        var section = configuration?.GetSection(Section);
        if (section is null)
        {
            return None;
        }

        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            // A plain value where the map belongs ("VirtualPhones": "+1555=answer") is a mistake, not "none".
            return string.IsNullOrWhiteSpace(section.Value)
                ? None
                : throw new InvalidOperationException($"{Section} must map E.164 numbers to phone scripts, e.g. {{ \"+15550100001\": \"answer@2s;hangup=10s\" }}; it is '{section.Value}'.");
        }

        var phones = new List<VirtualPhone>();
        var byNumber = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (entry, script) in Entries(children))
        {
            var key = $"{Section}:{entry}";
            var number = PhoneNumberText.ToE164(entry)
                ?? throw new InvalidOperationException($"{key}: '{entry}' is not a phone number (E.164 such as +15550100001, optionally with separators as in +1 555-010-0001, a tel: URI, or a sip: URI whose user is the number).");
            if (byNumber.TryGetValue(number, out var first))
            {
                throw new InvalidOperationException($"{key}: '{entry}' is the number {number}, which '{first}' already configures; keep one of them.");
            }

            if (script is null)
            {
                throw new InvalidOperationException($"{key} must be a script string such as \"answer@2s;hangup=10s\", not a section.");
            }

            byNumber[number] = entry;
            try
            {
                phones.Add(new VirtualPhone(number, entry, script.Trim(), CallScript.ParseParty(script, key)));
            }
            catch (CallScriptException ex)
            {
                throw new InvalidOperationException(ex.Message, ex);
            }
        }

        return new VirtualPhones(phones);
    }

    /// <summary>
    /// The section's entries as (key, script). A key holding ':' (<c>tel:+1555...</c>,
    /// <c>sip:+1555...@host:5060</c>) arrives as nested sections, since ':' separates configuration
    /// levels: under a <c>tel</c>, <c>sip</c> or <c>sips</c> child the nested path is joined back.
    /// Any other child without a value is an entry with a null script (an error for the caller).
    /// </summary>
    private static IEnumerable<(string Key, string? Script)> Entries(IEnumerable<IConfigurationSection> children)
    {
        foreach (var child in children)
        {
            if (child.Value is null && child.Key is { } scheme
                && (scheme.Equals("tel", StringComparison.OrdinalIgnoreCase) || scheme.Equals("sip", StringComparison.OrdinalIgnoreCase) || scheme.Equals("sips", StringComparison.OrdinalIgnoreCase)))
            {
                foreach (var (path, value) in child.AsEnumerable(makePathsRelative: true).Where(p => p.Value is not null).OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    yield return ($"{child.Key}:{path}", value);
                }
            }
            else
            {
                yield return (child.Key, child.Value);
            }
        }
    }

    /// <summary>These phones less those whose number is in <paramref name="numbers"/> (read as numbers too).</summary>
    public VirtualPhones Without(IEnumerable<string> numbers)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        var drop = numbers.Select(n => PhoneNumberText.ToE164(n) ?? n).ToHashSet(StringComparer.Ordinal);
        return drop.Count == 0 || !Phones.Any(p => drop.Contains(p.Number)) ? this : new VirtualPhones([.. Phones.Where(p => !drop.Contains(p.Number))]);
    }

    /// <summary>The phone a dialled target rings: the target read as a number (E.164, separators, tel: or sip: URI), or null.</summary>
    public VirtualPhone? Find(string dialled) =>
        PhoneNumberText.ToE164(dialled) is { } number && _byNumber.TryGetValue(number, out var phone) ? phone : null;
}

/// <summary>One configured virtual phone: its number (E.164), its key and script as written, and the parsed party.</summary>
internal sealed record VirtualPhone(string Number, string Key, string Script, VirtualParty Party);

/// <summary>
/// serve's outbound leg factory when virtual phones are in play. A leg whose target reads as a
/// configured virtual phone's number (<see cref="VirtualPhones.Find"/>) rings that phone; with SIP on
/// every other leg goes to the SIP leg factory (so virtual phones come before every SIP route: own
/// numbers, registered softphones, trunks); with SIP off every other leg rings the network's
/// default party (or a number registered on the network), which answers. The leg keeps the target
/// as dialled. Each leg a configured phone takes is logged at Information and counted for
/// <c>/metrics</c>.
/// </summary>
internal sealed class VirtualPhoneLegFactory : ICallLegFactory
{
    private readonly VirtualNetwork _network;
    private readonly VirtualPhones _phones;
    private readonly ICallLegFactory? _sip;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly ConcurrentQueue<VirtualLeg> _phoneLegs = new();
    private long _virtualLegs;
    private long _configuredLegs;

    /// <param name="time">The network's clock (its legs and this factory's must run on one time).</param>
    /// <param name="sip">The SIP leg factory, or null when SIP is off (every leg is virtual).</param>
    public VirtualPhoneLegFactory(VirtualNetwork network, TimeProvider time, VirtualPhones phones, ICallLegFactory? sip, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(phones);
        _network = network;
        _time = time;
        _phones = phones;
        _sip = sip;
        _log = log;
        foreach (var phone in phones.Phones)
        {
            _log.LogInformation("Virtual phone {Number}: {Script}", phone.Number, phone.Script);
        }
    }

    /// <summary>The configured phones.</summary>
    public VirtualPhones Phones => _phones;

    /// <summary>Whether SIP legs are the fallback (SIP on).</summary>
    public bool SipFallback => _sip is not null;

    /// <summary>Outbound legs that rang a virtual phone: a configured one, or with SIP off the default party.</summary>
    public long VirtualLegs => Interlocked.Read(ref _virtualLegs);

    /// <summary>Outbound legs that rang a phone from the VirtualPhones section.</summary>
    public long ConfiguredPhoneLegs => Interlocked.Read(ref _configuredLegs);

    /// <summary>Legs that rang a configured phone, while the network retains legs (<see cref="VirtualNetwork.RetainLegs"/>; <c>opensma call</c>, tests).</summary>
    public IReadOnlyCollection<VirtualLeg> PhoneLegs => _phoneLegs;

    /// <summary>Virtual legs connected now (each is a listener on the network's media clock until it ends).</summary>
    public int ConnectedVirtualLegs => _network.Clock.ListenerCount;

    public ICallLeg CreateOutbound(OutboundLegRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_phones.Find(request.To) is not { } phone)
        {
            if (_sip is not null)
            {
                return _sip.CreateOutbound(request);
            }

            Interlocked.Increment(ref _virtualLegs);
            return _network.CreateOutbound(request);
        }

        var leg = new VirtualLeg(_time, _network.Clock, LegDirection.Outbound, request.From, request.To, phone.Party, request.SipHeaders, keepHeard: _network.RetainLegs);
        if (_network.RetainLegs)
        {
            _phoneLegs.Enqueue(leg);
        }

        Interlocked.Increment(ref _configuredLegs);
        Interlocked.Increment(ref _virtualLegs);
        // The line that tells a developer the leg did not go out over SIP.
        _log.LogInformation(
            "Outbound leg {CallId} from {From} to {To} rings a virtual phone (VirtualPhones: {Script})",
            leg.CallId, request.From, request.To, phone.Script);
        return leg;
    }
}
