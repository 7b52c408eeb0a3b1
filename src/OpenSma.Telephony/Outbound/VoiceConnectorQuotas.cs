using OpenSma.Telephony.Legs;

namespace OpenSma.Telephony.Outbound;

/// <summary>
/// The AWS voice-connector quotas (data-plane spec §9.4), for calls in both directions through a
/// voice connector: outbound legs sent to its origination routes, and inbound INVITEs it admits
/// (addressed to its host name, or let in by its CIDR list or credentials).
/// <list type="bullet">
/// <item><see cref="TelephonyOptions.VoiceConnectorCallsPerSecond"/>: call attempts per second per
/// connector (AWS: 1), one window per connector shared by both directions;</item>
/// <item><see cref="TelephonyOptions.MaxVoiceConnectorConcurrentCalls"/>: calls through all
/// connectors at once (AWS: 10 per account and Region).</item>
/// </list>
/// An admitted call holds a <see cref="VoiceConnectorCall"/> that counts until its SIP leg is
/// released (every end path of a <see cref="SipCallLeg"/> releases it) or the call is given up
/// before a leg exists, so no failure path can leak a slot. One instance serves a node: the media
/// plane holds it (<see cref="MediaPlane.VoiceConnectorQuotas"/>) for the leg factory and the inbound router.
/// </summary>
public sealed class VoiceConnectorQuotas
{
    private readonly Lock _gate = new();
    private readonly List<VoiceConnectorCall> _calls = [];
    private readonly CallsPerSecondLimiter _rate;

    public VoiceConnectorQuotas(int? callsPerSecond, int? maxConcurrentCalls, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (callsPerSecond is < 1 || maxConcurrentCalls is < 1)
        {
            throw new ArgumentOutOfRangeException(callsPerSecond is < 1 ? nameof(callsPerSecond) : nameof(maxConcurrentCalls), "A quota is at least 1, or null for none.");
        }

        CallsPerSecond = callsPerSecond;
        MaxConcurrentCalls = maxConcurrentCalls;
        _rate = new CallsPerSecondLimiter(time);
    }

    public int? CallsPerSecond { get; }

    public int? MaxConcurrentCalls { get; }

    /// <summary>Whether any quota applies (nothing is tracked otherwise).</summary>
    public bool IsEnabled => CallsPerSecond is not null || MaxConcurrentCalls is not null;

    /// <summary>Calls now holding a slot, across all voice connectors.</summary>
    public int ActiveCalls
    {
        get
        {
            lock (_gate)
            {
                return CountLocked();
            }
        }
    }

    /// <summary>
    /// Admits one call through <paramref name="voiceConnectorId"/>: null, with the reason, when all
    /// connectors together are at the concurrent-call limit or this one is at its call rate. A call
    /// refused for its rate takes no concurrent slot, and one refused for concurrency spends no rate.
    /// With no quota configured every call is admitted and nothing is tracked.
    /// </summary>
    public VoiceConnectorCall? TryAdmit(string voiceConnectorId, SipCallLeg? leg, out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(voiceConnectorId);
        refusal = null;
        if (!IsEnabled)
        {
            return new VoiceConnectorCall(voiceConnectorId, leg);
        }

        lock (_gate)
        {
            if (MaxConcurrentCalls is { } max && CountLocked() >= max)
            {
                refusal = $"voice connectors carry their limit of {max} concurrent calls";
                return null;
            }

            if (CallsPerSecond is { } rate && !_rate.TryAcquire(voiceConnectorId, rate))
            {
                refusal = $"voice connector {voiceConnectorId} is at its quota of {rate} calls per second";
                return null;
            }

            var call = new VoiceConnectorCall(voiceConnectorId, leg);
            if (MaxConcurrentCalls is not null)
            {
                _calls.Add(call);
            }

            return call;
        }
    }

    private int CountLocked()
    {
        _calls.RemoveAll(static c => !c.Counts);
        return _calls.Count;
    }
}

/// <summary>
/// One call's slot under the voice-connector concurrent-call quota. It counts until its leg is
/// released; a slot taken before the leg exists counts until <see cref="Bind"/> gives it one or
/// <see cref="Release"/> gives it up.
/// </summary>
public sealed class VoiceConnectorCall
{
    private SipCallLeg? _leg;
    private int _released;

    internal VoiceConnectorCall(string voiceConnectorId, SipCallLeg? leg)
    {
        VoiceConnectorId = voiceConnectorId;
        _leg = leg;
    }

    public string VoiceConnectorId { get; }

    /// <summary>True while the slot counts against the quota.</summary>
    public bool Counts => Volatile.Read(ref _released) == 0 && Volatile.Read(ref _leg) is not { IsReleased: true };

    /// <summary>The call's leg now exists: the slot counts until that leg is released.</summary>
    public void Bind(SipCallLeg leg)
    {
        ArgumentNullException.ThrowIfNull(leg);
        Volatile.Write(ref _leg, leg);
    }

    /// <summary>The call was given up before (or without) a leg: the slot is free at once.</summary>
    public void Release() => Volatile.Write(ref _released, 1);
}
