namespace OpenSma.Telephony.Phone;

/// <summary>The ordered event list of one phone call, stamped on the phone's clock; safe from any thread.</summary>
internal sealed class PhoneLog(TimeProvider time, Action<SipPhoneEvent>? observer)
{
    private readonly long _start = time.GetTimestamp();
    private readonly Lock _gate = new();
    private readonly List<SipPhoneEvent> _events = [];

    public TimeSpan Elapsed => time.GetElapsedTime(_start);

    public void Add(Func<TimeSpan, SipPhoneEvent> create)
    {
        SipPhoneEvent e;
        lock (_gate)
        {
            e = create(Elapsed);
            _events.Add(e);
        }

        try
        {
            observer?.Invoke(e);
        }
        catch (Exception)
        {
            // An observer's failure must not end the call; the event is still in the report.
        }
    }

    public IReadOnlyList<SipPhoneEvent> Snapshot()
    {
        lock (_gate)
        {
            return [.. _events];
        }
    }
}
