using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace OpenSma.Sip.Benchmarks;

/// <summary>Counts the runtime's allocation-tick samples (one per ~100 KB allocated) by type: where the bytes go.</summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<string, long> _bytes = new();

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName is "GCAllocationTick_V4" or "GCAllocationTick_V3" && eventData.Payload is { } payload)
        {
            var type = payload[eventData.PayloadNames!.IndexOf("TypeName")] as string ?? "?";
            var amount = Convert.ToInt64(payload[eventData.PayloadNames!.IndexOf("AllocationAmount")], System.Globalization.CultureInfo.InvariantCulture);
            _bytes.AddOrUpdate(type, amount, (_, v) => v + amount);
        }
    }

    public void Print(int calls)
    {
        foreach (var (type, bytes) in _bytes.OrderByDescending(p => p.Value).Take(25))
        {
            Console.WriteLine($"  {bytes / calls,8:N0} B/call  {type}");
        }
    }
}
