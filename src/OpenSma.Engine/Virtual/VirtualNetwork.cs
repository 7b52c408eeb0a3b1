using System.Collections.Concurrent;
using OpenSma.Engine.Legs;
using OpenSma.Media.Clock;

namespace OpenSma.Engine.Virtual;

/// <summary>
/// Virtual phones by number: outbound legs (CallAndBridge, CreateSipMediaApplicationCall) ring the
/// party registered for their number, or a default party that answers after two seconds. Every leg
/// created is kept so a test or <c>opensma call</c> can inspect what each phone heard.
/// </summary>
public sealed class VirtualNetwork : ICallLegFactory, IDisposable
{
    private readonly ConcurrentDictionary<string, VirtualParty> _parties = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<VirtualLeg> _legs = new();
    private readonly TimeProvider _time;

    public VirtualNetwork(TimeProvider time)
    {
        _time = time;
        Clock = new MediaClock(time);
    }

    public MediaClock Clock { get; }

    public VirtualParty DefaultParty { get; set; } = new();

    /// <summary>Every leg created, when <see cref="RetainLegs"/> is on (tests, <c>opensma call</c>).</summary>
    public IReadOnlyCollection<VirtualLeg> Legs => _legs;

    /// <summary>
    /// Keep legs and what each far end heard for inspection; a long-running host turns this off so
    /// ended calls are freed and a long call does not grow by 16 KB of audio a second.
    /// </summary>
    public bool RetainLegs { get; init; } = true;

    public void Register(string number, VirtualParty party) => _parties[number] = party;

    /// <summary>Whether a virtual phone is registered for <paramref name="number"/>.</summary>
    public bool IsRegistered(string number) => _parties.ContainsKey(number);

    /// <summary>
    /// A leg factory that rings this network's registered numbers (<see cref="Register"/>) and sends
    /// every other leg to <paramref name="fallback"/>, typically the SIP leg factory: with SIP on, a
    /// softphone's call can be bridged to a scripted virtual phone, and a virtual caller to a SIP phone.
    /// Virtual and SIP legs bridge with each other through <see cref="Legs.FrameBridge"/>.
    /// </summary>
    public ICallLegFactory WithFallback(ICallLegFactory fallback)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        return new RegisteredFirst(this, fallback);
    }

    /// <summary>An inbound call from a virtual phone, ready to hand to the engine.</summary>
    public VirtualLeg CreateInbound(string from, string to, VirtualParty caller, IReadOnlyDictionary<string, string>? sipHeaders = null)
    {
        var leg = new VirtualLeg(_time, Clock, LegDirection.Inbound, from, to, caller, sipHeaders, keepHeard: RetainLegs);
        Keep(leg);
        return leg;
    }

    public ICallLeg CreateOutbound(OutboundLegRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var party = _parties.TryGetValue(request.To, out var p) ? p : DefaultParty;
        var leg = new VirtualLeg(_time, Clock, LegDirection.Outbound, request.From, request.To, party, request.SipHeaders, keepHeard: RetainLegs);
        Keep(leg);
        return leg;
    }

    private void Keep(VirtualLeg leg)
    {
        if (RetainLegs)
        {
            _legs.Enqueue(leg);
        }
    }

    private sealed class RegisteredFirst(VirtualNetwork network, ICallLegFactory fallback) : ICallLegFactory
    {
        public ICallLeg CreateOutbound(OutboundLegRequest request)
        {
            ArgumentNullException.ThrowIfNull(request);
            return network.IsRegistered(request.To) ? network.CreateOutbound(request) : fallback.CreateOutbound(request);
        }
    }

    public void Dispose()
    {
        foreach (var leg in _legs)
        {
            leg.Dispose();
        }

        Clock.Dispose();
    }
}
