using System.Globalization;

namespace OpenSma.Host.Calls;

/// <summary>Durations as people type them: 30s, 1.5s, 500ms, 2m; a bare number is seconds.</summary>
internal static class Durations
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        text = text.Trim();
        var (number, scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (text[..^2], 0.001),
            _ when text.EndsWith('s') || text.EndsWith('S') => (text[..^1], 1.0),
            _ when text.EndsWith('m') || text.EndsWith('M') => (text[..^1], 60.0),
            _ when text.EndsWith('h') || text.EndsWith('H') => (text[..^1], 3600.0),
            _ => (text, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0 || double.IsInfinity(value))
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(value * scale);
        return true;
    }

    public static TimeSpan Parse(string text, string option) =>
        TryParse(text, out var d) ? d : throw new CallScriptException($"{option}: '{text}' is not a duration (examples: 30s, 1.5s, 500ms, 2m).");
}

internal sealed class CallScriptException(string message) : Exception(message);
