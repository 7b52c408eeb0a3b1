using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using OpenSma.Engine.Legs;
using OpenSma.Engine.Virtual;

namespace OpenSma.Host.Calls;

/// <summary>
/// serve's <c>VirtualPhones</c> section: scripted virtual phones by E.164 number, in the script
/// syntax of <c>opensma call --callee</c> (<see cref="CallScript.ParseParty"/>):
/// <code>
/// "VirtualPhones": { "+15550100001": "answer@2s;say=agent.wav@0.5s;digits=1@3s;hangup=10s",
///                    "+15550100002": "busy" }
/// </code>
/// Read and checked once at start-up: WAV files are loaded then, and a bad entry stops serve with
/// an error naming its key and the part that is wrong.
/// </summary>
internal sealed partial class VirtualPhones
{
    public const string Section = "VirtualPhones";

    public static readonly VirtualPhones None = new([]);

    private VirtualPhones(IReadOnlyList<VirtualPhone> phones) => Phones = phones;

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
        foreach (var child in children)
        {
            var key = $"{Section}:{child.Key}";
            if (!E164().IsMatch(child.Key))
            {
                throw new InvalidOperationException($"{Section}: '{child.Key}' is not an E.164 number ('+' and 2 to 15 digits, e.g. +15550100001).");
            }

            if (child.Value is null)
            {
                throw new InvalidOperationException($"{key} must be a script string such as \"answer@2s;hangup=10s\", not a section.");
            }

            try
            {
                phones.Add(new VirtualPhone(child.Key, child.Value.Trim(), CallScript.ParseParty(child.Value, key)));
            }
            catch (CallScriptException ex)
            {
                throw new InvalidOperationException(ex.Message, ex);
            }
        }

        return new VirtualPhones(phones);
    }

    /// <summary>Registers every phone on <paramref name="network"/>.</summary>
    public void RegisterOn(VirtualNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        foreach (var phone in Phones)
        {
            network.Register(phone.Number, phone.Party);
        }
    }

    /// <summary>These phones less those whose number is in <paramref name="numbers"/>.</summary>
    public VirtualPhones Without(IEnumerable<string> numbers)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        var drop = numbers.ToHashSet(StringComparer.Ordinal);
        return drop.Count == 0 || !Phones.Any(p => drop.Contains(p.Number)) ? this : new VirtualPhones([.. Phones.Where(p => !drop.Contains(p.Number))]);
    }

    public VirtualPhone? Find(string number) => Phones.FirstOrDefault(p => string.Equals(p.Number, number, StringComparison.Ordinal));

    [GeneratedRegex(@"^\+[1-9][0-9]{1,14}$", RegexOptions.CultureInvariant)]
    private static partial Regex E164();
}

/// <summary>One configured virtual phone: its number, the script as written, and the parsed party.</summary>
internal sealed record VirtualPhone(string Number, string Script, VirtualParty Party);

/// <summary>
/// serve's outbound leg factory when virtual phones are in play. A leg to a configured virtual
/// phone's number rings that phone; with SIP on every other leg goes to the SIP leg factory
/// (<see cref="VirtualNetwork.WithFallback"/>, so virtual phones come before every SIP route: own
/// numbers, registered softphones, trunks); with SIP off every other leg rings the network's
/// default party, which answers. Each leg a configured phone takes is logged at Information and
/// counted for <c>/metrics</c>.
/// </summary>
internal sealed class VirtualPhoneLegFactory : ICallLegFactory
{
    private readonly VirtualNetwork _network;
    private readonly VirtualPhones _phones;
    private readonly ICallLegFactory _route;
    private readonly ILogger _log;
    private long _virtualLegs;
    private long _configuredLegs;

    /// <param name="sip">The SIP leg factory, or null when SIP is off (every leg is virtual).</param>
    public VirtualPhoneLegFactory(VirtualNetwork network, VirtualPhones phones, ICallLegFactory? sip, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(phones);
        _network = network;
        _phones = phones;
        _route = sip is null ? network : network.WithFallback(sip);
        _log = log;
        phones.RegisterOn(network);
        foreach (var phone in phones.Phones)
        {
            _log.LogInformation("Virtual phone {Number}: {Script}", phone.Number, phone.Script);
        }
    }

    /// <summary>Whether SIP legs are the fallback (SIP on).</summary>
    public bool SipFallback => !ReferenceEquals(_route, _network);

    /// <summary>Outbound legs that rang a virtual phone: a configured one, or with SIP off the default party.</summary>
    public long VirtualLegs => Interlocked.Read(ref _virtualLegs);

    /// <summary>Outbound legs that rang a phone from the VirtualPhones section.</summary>
    public long ConfiguredPhoneLegs => Interlocked.Read(ref _configuredLegs);

    /// <summary>Virtual legs connected now (each is a listener on the network's media clock until it ends).</summary>
    public int ConnectedVirtualLegs => _network.Clock.ListenerCount;

    public ICallLeg CreateOutbound(OutboundLegRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var configured = _network.IsRegistered(request.To);
        var leg = _route.CreateOutbound(request);
        if (configured)
        {
            Interlocked.Increment(ref _configuredLegs);
            Interlocked.Increment(ref _virtualLegs);
            // The line that tells a developer the leg did not go out over SIP.
            _log.LogInformation(
                "Outbound leg {CallId} from {From} to {To} rings a virtual phone (VirtualPhones: {Script})",
                leg.CallId, request.From, request.To, _phones.Find(request.To)?.Script);
        }
        else if (!SipFallback)
        {
            Interlocked.Increment(ref _virtualLegs);
        }

        return leg;
    }
}
