using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace OpenSma.ControlPlane;

/// <summary>
/// Reads the number inventory, order timing, quota and voice-connector settings of the
/// <c>ControlPlane</c> configuration section (opensma.json) onto <see cref="ControlPlaneOptions"/>:
/// <code>
/// "ControlPlane": {
///   "CacheReads": true,                            // default: on for SQLite, off for PostgreSQL
///   "VoiceConnectorHostSuffix": "voiceconnector.example.net",
///   "PhoneNumbers": {
///     "OrderCompletionDelay": "00:00:30",          // TimeSpan; zero = orders complete at once
///     "DeletionRetention": "7.00:00:00",
///     "Pools": [ { "Country": "US", "Type": "Local", "Prefix": "+1206555", "First": 100,
///                  "Count": 100, "Digits": 4, "AreaCode": "206", "City": "Seattle", "State": "WA" } ]
///   },
///   "Quotas": { "Enabled": true, "MaxSipMediaApplications": 30, "MaxTargetApplicationsPerSipRule": 25,
///               "MaxPhoneNumbers": 5, "CreateCallsPerSecond": 1, "UpdateCallsPerSecond": 5,
///               "MaxActiveCalls": 10,  // engine, per account and Region (older key: MaxActiveCallsPerSipMediaApplication)
///               "VoiceConnectorCallsPerSecond": 1, "MaxVoiceConnectorConcurrentCalls": 10 }  // telephony
/// }
/// </code>
/// Absent members keep their defaults; <c>Pools</c>, when present, replaces the default pools.
/// A bad value fails start-up with an <see cref="InvalidOperationException"/> naming its key.
/// </summary>
public static partial class ControlPlaneConfiguration
{
    private static readonly string[] PoolTypes = ["Local", "TollFree"];

    public static ControlPlaneOptions Bind(ControlPlaneOptions options, IConfiguration? section)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (section is null)
        {
            return options;
        }

        var numbers = section.GetSection("PhoneNumbers");
        var quotas = section.GetSection("Quotas");
        var pools = numbers.GetSection("Pools").GetChildren().ToList();
        // The older key names the same account-wide quota; both are checked, the new one wins when both are set.
        var activeCalls = Int(quotas, "MaxActiveCalls", 1, int.MaxValue);
        var activeCallsOlderKey = Int(quotas, "MaxActiveCallsPerSipMediaApplication", 1, int.MaxValue);
        return options with
        {
            CacheReads = Bool(section, "CacheReads") ?? options.CacheReads,
            VoiceConnectorHostSuffix = section["VoiceConnectorHostSuffix"] is { Length: > 0 } suffix
                ? HostName(suffix, Path(section, "VoiceConnectorHostSuffix"))
                : options.VoiceConnectorHostSuffix,
            PhoneNumbers = options.PhoneNumbers with
            {
                OrderCompletionDelay = Duration(numbers, "OrderCompletionDelay") ?? options.PhoneNumbers.OrderCompletionDelay,
                DeletionRetention = Duration(numbers, "DeletionRetention") ?? options.PhoneNumbers.DeletionRetention,
                Pools = pools.Count == 0 ? options.PhoneNumbers.Pools : pools.Select(Pool).ToList(),
            },
            Quotas = options.Quotas with
            {
                Enabled = Bool(quotas, "Enabled") ?? options.Quotas.Enabled,
                MaxSipMediaApplications = Int(quotas, "MaxSipMediaApplications", 1, int.MaxValue) ?? options.Quotas.MaxSipMediaApplications,
                MaxTargetApplicationsPerSipRule = Int(quotas, "MaxTargetApplicationsPerSipRule", 1, 25) ?? options.Quotas.MaxTargetApplicationsPerSipRule,
                MaxPhoneNumbers = Int(quotas, "MaxPhoneNumbers", 1, int.MaxValue) ?? options.Quotas.MaxPhoneNumbers,
                CreateCallsPerSecond = Int(quotas, "CreateCallsPerSecond", 1, int.MaxValue) ?? options.Quotas.CreateCallsPerSecond,
                UpdateCallsPerSecond = Int(quotas, "UpdateCallsPerSecond", 1, int.MaxValue) ?? options.Quotas.UpdateCallsPerSecond,
                MaxActiveCalls = activeCalls ?? activeCallsOlderKey ?? options.Quotas.MaxActiveCalls,
                VoiceConnectorCallsPerSecond = Int(quotas, "VoiceConnectorCallsPerSecond", 1, int.MaxValue) ?? options.Quotas.VoiceConnectorCallsPerSecond,
                MaxVoiceConnectorConcurrentCalls = Int(quotas, "MaxVoiceConnectorConcurrentCalls", 1, int.MaxValue) ?? options.Quotas.MaxVoiceConnectorConcurrentCalls,
            },
        };
    }

    private static PhoneNumberPool Pool(IConfigurationSection pool)
    {
        var country = Required(pool, "Country");
        if (!CountryPattern().IsMatch(country))
        {
            throw Invalid(pool, "Country", "must be an ISO 3166-1 alpha-2 code such as US");
        }

        var type = Required(pool, "Type");
        if (!PoolTypes.Contains(type))
        {
            throw Invalid(pool, "Type", "must be Local or TollFree");
        }

        var prefix = Required(pool, "Prefix");
        if (!PrefixPattern().IsMatch(prefix))
        {
            throw Invalid(pool, "Prefix", "must be '+' and the leading E.164 digits, e.g. +1206555");
        }

        var digits = Int(pool, "Digits", 1, 14) ?? throw Invalid(pool, "Digits", "is required");
        if (prefix.Length - 1 + digits > 15)
        {
            throw Invalid(pool, "Digits", $"makes numbers longer than the 15 digits E.164 allows with prefix {prefix}");
        }

        var first = Int(pool, "First", 0, int.MaxValue) ?? 0;
        var count = Int(pool, "Count", 1, int.MaxValue) ?? throw Invalid(pool, "Count", "is required");
        if (first + (double)count > Math.Pow(10, digits))
        {
            throw Invalid(pool, "Count", $"runs past the {digits}-digit counter (First {first} + Count {count})");
        }

        return new PhoneNumberPool(country, type, prefix, first, count, digits, Required(pool, "AreaCode"), pool["City"], pool["State"]);
    }

    private static string Required(IConfigurationSection section, string key) =>
        section[key] is { Length: > 0 } value ? value : throw Invalid(section, key, "is required");

    private static TimeSpan? Duration(IConfigurationSection section, string key)
    {
        if (section[key] is not { } text)
        {
            return null;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value >= TimeSpan.Zero
            ? value
            : throw Invalid(section, key, $"'{text}' is not a non-negative duration such as 00:00:30");
    }

    private static int? Int(IConfigurationSection section, string key, int min, int max)
    {
        if (section[key] is not { } text)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw Invalid(section, key, $"'{text}' is not an integer between {min} and {max}");
    }

    private static bool? Bool(IConfiguration section, string key)
    {
        if (section[key] is not { } text)
        {
            return null;
        }

        return bool.TryParse(text, out var value) ? value : throw Invalid(section, key, $"'{text}' is not true or false");
    }

    private static string HostName(string value, string path) =>
        Uri.CheckHostName(value) == UriHostNameType.Dns ? value : throw new InvalidOperationException($"{path} '{value}' is not a DNS host name.");

    private static InvalidOperationException Invalid(IConfiguration section, string key, string problem) =>
        new($"{Path(section, key)} {problem}.");

    private static string Path(IConfiguration section, string key) =>
        section is IConfigurationSection s && s.Path.Length > 0 ? s.Path + ":" + key : key;

    [GeneratedRegex(@"^[A-Z]{2}$")]
    private static partial Regex CountryPattern();

    [GeneratedRegex(@"^\+[1-9][0-9]{0,13}$")]
    private static partial Regex PrefixPattern();
}
