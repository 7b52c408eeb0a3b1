using System.Globalization;
using System.Text.RegularExpressions;

namespace OpenSma.Speech.Ssml;

/// <summary>The attribute values of the SSML subset, with Polly's names and limits.</summary>
internal static partial class SsmlValues
{
    /// <summary>Polly's longest break.</summary>
    public static readonly TimeSpan MaxBreak = TimeSpan.FromSeconds(10);

    public const int MinRatePercent = 20;
    public const int MaxRatePercent = 200;
    public const double MaxVolumeDecibels = 40;

    /// <summary>Pause for a break strength; also what sentence (strong) and paragraph (x-strong) ends get.</summary>
    public static TimeSpan? BreakStrength(string strength) => strength switch
    {
        "none" => TimeSpan.Zero,
        "x-weak" => TimeSpan.FromMilliseconds(100),
        "weak" => TimeSpan.FromMilliseconds(250),
        "medium" => TimeSpan.FromMilliseconds(400),
        "strong" => TimeSpan.FromMilliseconds(700),
        "x-strong" => TimeSpan.FromMilliseconds(1000),
        _ => null,
    };

    /// <summary>"500ms", "2s", "1.5s"; null when malformed or longer than 10 s.</summary>
    public static TimeSpan? BreakTime(string time)
    {
        var match = TimePattern().Match(time.Trim());
        if (!match.Success
            || !double.TryParse(match.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return null;
        }

        var duration = match.Groups[2].Value == "ms" ? TimeSpan.FromMilliseconds(value) : TimeSpan.FromSeconds(value);
        return duration <= MaxBreak ? duration : null;
    }

    /// <summary>Rate in percent of normal: a name or "n%" between 20% and 200%.</summary>
    public static int? Rate(string rate)
    {
        switch (rate.Trim())
        {
            case "x-slow":
                return 60;
            case "slow":
                return 80;
            case "medium" or "default":
                return 100;
            case "fast":
                return 125;
            case "x-fast":
                return 160;
        }

        var match = PercentPattern().Match(rate.Trim());
        return match.Success && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var percent)
            && percent is >= MinRatePercent and <= MaxRatePercent
            ? percent
            : null;
    }

    /// <summary>Volume as a gain in dB: a name or "+ndB"/"-ndB".</summary>
    public static double? Volume(string volume)
    {
        switch (volume.Trim())
        {
            case "silent":
                return double.NegativeInfinity;
            case "x-soft":
                return -10;
            case "soft":
                return -5;
            case "medium" or "default":
                return 0;
            case "loud":
                return 5;
            case "x-loud":
                return 10;
        }

        var match = DecibelPattern().Match(volume.Trim());
        return match.Success
            && double.TryParse(match.Groups[1].Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var db)
            && Math.Abs(db) <= MaxVolumeDecibels
            ? db
            : null;
    }

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)(ms|s)$", RegexOptions.CultureInvariant)]
    private static partial Regex TimePattern();

    [GeneratedRegex(@"^(\d+)%$", RegexOptions.CultureInvariant)]
    private static partial Regex PercentPattern();

    [GeneratedRegex(@"^([+-]\d+(?:\.\d+)?)dB$", RegexOptions.CultureInvariant)]
    private static partial Regex DecibelPattern();
}
