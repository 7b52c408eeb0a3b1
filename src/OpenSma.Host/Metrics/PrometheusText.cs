using System.Globalization;
using System.Text;

namespace OpenSma.Host.Metrics;

/// <summary>
/// Writes the Prometheus text exposition format, version 0.0.4: per metric family one
/// <c># HELP</c> and one <c># TYPE</c> line, then its samples, each family written whole.
/// </summary>
internal sealed class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new();
    private readonly HashSet<string> _families = new(StringComparer.Ordinal);

    public void Gauge(string name, string help, double value) => Family(name, "gauge", help, [(Labels: [], Value: value)]);

    public void Counter(string name, string help, double value) => Family(name, "counter", help, [(Labels: [], Value: value)]);

    /// <summary>One family with labelled samples; <paramref name="type"/> is <c>gauge</c> or <c>counter</c>.</summary>
    public void Family(string name, string type, string help, IEnumerable<(IReadOnlyList<KeyValuePair<string, string>> Labels, double Value)> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (!IsName(name) || !_families.Add(name))
        {
            throw new ArgumentException($"metric name '{name}' is not valid or is written twice", nameof(name));
        }

        _text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        foreach (var (labels, value) in samples)
        {
            _text.Append(name);
            if (labels.Count > 0)
            {
                _text.Append('{');
                for (var i = 0; i < labels.Count; i++)
                {
                    if (i > 0)
                    {
                        _text.Append(',');
                    }

                    _text.Append(labels[i].Key).Append("=\"").Append(EscapeLabel(labels[i].Value)).Append('"');
                }

                _text.Append('}');
            }

            _text.Append(' ').Append(Format(value)).Append('\n');
        }
    }

    /// <summary>A summary without quantiles: the <c>_sum</c> and <c>_count</c> samples.</summary>
    public void Summary(string name, string help, double sum, long count)
    {
        Family(name, "summary", help, []);
        _text.Append(name).Append("_sum ").Append(Format(sum)).Append('\n');
        _text.Append(name).Append("_count ").Append(Format(count)).Append('\n');
    }

    public override string ToString() => _text.ToString();

    /// <summary>Numbers as Prometheus reads them: integers without a fraction, Go's spellings of the specials.</summary>
    internal static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ when value == Math.Floor(value) && Math.Abs(value) < 1e15 => ((long)value).ToString(CultureInfo.InvariantCulture),
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static bool IsName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');

    private static string EscapeHelp(string help) => help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeLabel(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
