using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace OpenSma.ControlPlane;

/// <summary>Value formats several configuration sections share (the Storage section here; the host's Telephony section).</summary>
public static class ConfigurationValues
{
    /// <summary>
    /// A duration in whole milliseconds, 0 or more, at <paramref name="key"/> of
    /// <paramref name="configuration"/>; null when absent. Anything else is an
    /// <see cref="InvalidOperationException"/> naming the full key (a section's path, then the key),
    /// e.g. <c>Storage:PromptHeadFreshnessMs '1s' is not a whole number of milliseconds, 0 or more (0 turns it off).</c>
    /// </summary>
    public static TimeSpan? Milliseconds(IConfiguration? configuration, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (configuration?[key] is not { } text)
        {
            return null;
        }

        if (long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= (long)TimeSpan.MaxValue.TotalMilliseconds)
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        var path = configuration is IConfigurationSection { Path.Length: > 0 } section ? section.Path + ":" + key : key;
        throw new InvalidOperationException($"{path} '{text}' is not a whole number of milliseconds, 0 or more (0 turns it off).");
    }
}
