using System.Globalization;

namespace OpenSma.Telephony.Benchmarks;

/// <summary>
/// CPU time of the whole machine (/proc/stat) and of this process, read at two moments: says whether
/// a stage had the cores to itself or competed with the phones, sipp and everything else.
/// </summary>
internal readonly record struct MachineCpu(long BusyJiffies, long TotalJiffies, TimeSpan Own)
{
    public static MachineCpu Now()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var total = fields.Take(8).Sum();
        var idle = fields[3] + fields[4];
        return new MachineCpu(total - idle, total, Environment.CpuUsage.TotalTime);
    }

    /// <summary>Busy share of all cores, and this process's cores used, between <paramref name="start"/> and now.</summary>
    public static (double MachineBusy, double OwnCores) Since(MachineCpu start, TimeSpan elapsed)
    {
        var now = Now();
        var total = now.TotalJiffies - start.TotalJiffies;
        return (total == 0 ? 0 : (now.BusyJiffies - start.BusyJiffies) / (double)total, (now.Own - start.Own).TotalSeconds / elapsed.TotalSeconds);
    }
}
