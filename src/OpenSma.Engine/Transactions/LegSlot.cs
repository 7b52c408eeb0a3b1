using OpenSma.Engine.Contracts;
using System.Text.Json.Nodes;
using OpenSma.Engine.Legs;

namespace OpenSma.Engine.Transactions;

/// <summary>
/// A participant of a transaction: the leg, its tag and what the transaction tracks for it. It is
/// also the leg's observer, marshalling the leg's reports onto the transaction's mailbox (one object
/// per leg instead of two).
/// </summary>
internal sealed class LegSlot(CallTransaction transaction, ICallLeg leg, string tag) : ILegObserver
{
    public const string LegA = "LEG-A";
    public const string LegB = "LEG-B";

    // Shared by every leg of that tag: the echo only ever writes them (never attaches them to a parent).
    private static readonly JsonValue LegATagJson = JsonValue.Create(LegA);
    private static readonly JsonValue LegBTagJson = JsonValue.Create(LegB);

    // Created when an action first listens for digits on this leg.
    private List<IDigitSink>? _digitSinks;
    private string? _startTime;
    private JsonValue? _callIdJson;
    private JsonValue? _tagJson;
    private Participant? _participant;

    public ICallLeg Leg { get; } = leg;

    public string Tag { get; } = tag;

    public string CallId => Leg.CallId;

    // The echo writes these values in many events; they are only ever written, never attached to
    // a parent node, so one instance per leg serves them all.
    public JsonValue CallIdJson => _callIdJson ??= JsonValue.Create(CallId);

    public JsonValue TagJson => Tag switch
    {
        LegA => LegATagJson,
        LegB => LegBTagJson,
        _ => _tagJson ??= JsonValue.Create(Tag),
    };

    /// <summary>The leg has ended (locally or remotely); it stays listed until its HANGUP is sent.</summary>
    public bool Ended { get; set; }

    /// <summary>Listed in CallDetails.Participants (a CallAndBridge leg is listed once it answers).</summary>
    public bool Listed { get; set; }

    /// <summary>Completed when a dialing leg answers (true) or ends (false).</summary>
    public TaskCompletionSource<bool>? AnswerWaiter { get; set; }

    public int EndCode { get; set; }

    public bool RingingSeen { get; set; }

    public ReceiveDigitsListener? DigitListener { get; set; }

    public CallRecording? Recording { get; set; }

    /// <summary>StartCallRecording may run once per leg (spec §7.9).</summary>
    public bool RecordingStarted { get; set; }

    public LegSlot? BridgedWith { get; set; }

    public bool IsConnected => !Ended && Leg.State == LegState.Connected;

    public IDisposable AddDigitSink(IDigitSink sink)
    {
        (_digitSinks ??= []).Add(sink);
        return new Removal(this, sink);
    }

    public void DeliverDigit(char digit)
    {
        // Copy: a sink may finish and remove itself when it sees the digit.
        if (_digitSinks is { Count: > 0 } sinks)
        {
            foreach (var sink in sinks.ToArray())
            {
                sink.OnDigit(digit);
            }
        }

        DigitListener?.OnDigit(digit);
    }

    /// <summary>This leg in CallDetails.Participants; the last one is reused while nothing in it changed.</summary>
    public Participant ToParticipant(bool withStatus)
    {
        var status = withStatus ? (IsConnected ? "Connected" : "Disconnected") : null;
        var headers = Leg.SipHeaders is { Count: > 0 } h ? h : null;
        if (_participant is { } last && ReferenceEquals(last.Status, status) && ReferenceEquals(last.SipHeaders, headers))
        {
            return last;
        }

        return _participant = NewParticipant(status, headers);
    }

    private Participant NewParticipant(string? status, IReadOnlyDictionary<string, string>? headers) => new()
    {
        CallId = CallId,
        ParticipantTag = Tag,
        To = Leg.To,
        From = Leg.From,
        Direction = Leg.Direction == LegDirection.Inbound ? "Inbound" : "Outbound",
        StartTimeInMilliseconds = _startTime ??= Leg.StartTime.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
        Status = status,
        SipHeaders = headers,
    };

    void ILegObserver.OnRinging(ICallLeg leg) => transaction.Post(() => transaction.OnLegRinging(this));

    void ILegObserver.OnAnswered(ICallLeg leg) => transaction.Post(() => transaction.OnLegAnswered(this));

    void ILegObserver.OnDigit(ICallLeg leg, char digit) => transaction.Post(() => transaction.OnLegDigit(this, digit));

    void ILegObserver.OnEnded(ICallLeg leg, int sipResponseCode) => transaction.Post(() => transaction.OnLegEnded(this, sipResponseCode));

    private sealed class Removal(LegSlot slot, IDigitSink sink) : IDisposable
    {
        public void Dispose() => slot._digitSinks?.Remove(sink);
    }
}

/// <summary>Something that wants the digits of a leg while it runs (collectors, terminators).</summary>
internal interface IDigitSink
{
    void OnDigit(char digit);
}
