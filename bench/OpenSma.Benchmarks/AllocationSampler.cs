using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace OpenSma.Benchmarks;

/// <summary>
/// Samples allocations by type from the runtime's GCAllocationTick events (one event about every
/// 100 KB allocated), so a harness can say where its bytes go without an external profiler.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, long> _bytesByType = new(StringComparer.Ordinal);
    private volatile bool _recording;

    public void Start() => _recording = true;

    public void Stop() => _recording = false;

    /// <summary>Sampled bytes per type, largest first, as shares of all sampled bytes.</summary>
    public IEnumerable<(string Type, double Share)> TopTypes(int count)
    {
        var total = (double)Math.Max(1, _bytesByType.Values.Sum());
        return _bytesByType.OrderByDescending(p => p.Value).Take(count).Select(p => (p.Key, p.Value / total));
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_recording || eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is null)
        {
            return;
        }

        var names = eventData.PayloadNames!;
        var type = names.IndexOf("TypeName") is var t and >= 0 ? eventData.Payload[t] as string ?? "?" : "?";
        var amount = names.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(eventData.Payload[a], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        _bytesByType.AddOrUpdate(type, amount, (_, v) => v + amount);
    }
}
