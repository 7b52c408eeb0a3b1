using System.Diagnostics;

namespace OpenSma.Host.Metrics;

/// <summary>The usual <c>process_*</c> metrics and a few .NET runtime ones that operators watch for leaks.</summary>
internal static class ProcessMetrics
{
    private static readonly double StartTime = Process.GetCurrentProcess().StartTime.ToUniversalTime().Subtract(DateTime.UnixEpoch).TotalSeconds;

    public static void Write(PrometheusText text)
    {
        text.Counter("process_cpu_seconds_total", "User and system CPU time the process has used.", Environment.CpuUsage.TotalTime.TotalSeconds);
        text.Gauge("process_resident_memory_bytes", "Resident set size.", Environment.WorkingSet);
        text.Gauge("process_start_time_seconds", "When the process started, in seconds since the Unix epoch.", StartTime);
        if (OpenFileDescriptors() is { } fds)
        {
            text.Gauge("process_open_fds", "Open file descriptors (sockets included).", fds);
        }

        text.Gauge("dotnet_gc_heap_bytes", "Bytes the managed heap holds, as of the last collection.", GC.GetGCMemoryInfo().HeapSizeBytes);
        text.Counter("dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since the process started.", GC.GetTotalAllocatedBytes());
        text.Family("dotnet_gc_collections_total", "counter", "Garbage collections, by generation.",
            Enumerable.Range(0, GC.MaxGeneration + 1).Select(g => ((IReadOnlyList<KeyValuePair<string, string>>)[KeyValuePair.Create("generation", g.ToString(System.Globalization.CultureInfo.InvariantCulture))], (double)GC.CollectionCount(g))));
        text.Counter("dotnet_gc_pause_seconds_total", "Time the runtime had managed threads paused for garbage collection, media threads included.", GC.GetTotalPauseDuration().TotalSeconds);
        text.Gauge("dotnet_threadpool_threads", "Thread-pool threads.", ThreadPool.ThreadCount);
    }

    private static int? OpenFileDescriptors()
    {
        try
        {
            return Directory.Exists("/proc/self/fd") ? Directory.GetFiles("/proc/self/fd").Length : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
