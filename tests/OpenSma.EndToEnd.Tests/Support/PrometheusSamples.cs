using System.Globalization;

namespace OpenSma.EndToEnd.Tests.Support;

/// <summary>Reads a Prometheus text exposition (format 0.0.4) into samples keyed by name and labels.</summary>
internal static class PrometheusSamples
{
    public static Dictionary<string, double> Parse(string exposition)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in exposition.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            samples[line[..space]] = double.Parse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        return samples;
    }
}
