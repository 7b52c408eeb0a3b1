using Microsoft.Extensions.Configuration;
using OpenSma.ControlPlane;
using OpenSma.Engine.Speech;
using OpenSma.Sip;
using OpenSma.ControlPlane.S3;
using OpenSma.Speech;
using OpenSma.Storage.Objects;
using OpenSma.Storage.Resources;
using OpenSma.Telephony;

namespace OpenSma.Host.Cli;

/// <summary>
/// Reads <c>opensma serve</c> settings from the configuration file:
/// <code>
/// { "ControlPlane": { "AwsAccountId": "...", "AwsRegion": "...",
///                     "SigV4": { "Mode": "Strict", "Credentials": { "AKID...": "secret" } } },
///   "Store": { "Provider": "postgresql", "ConnectionString": "Host=...;Username=...;Database=..." },
///   "Storage": { "Buckets": { ... }, "PromptHeadFreshnessMs": 1000 },   (bucket backends and SMA access rules: docs/storage.md)
///   "Speech": { "Backend": "espeak-ng" },   (or polly: docs/speech.md)
///   "Functions": { "Functions": [ ... ] },
///   "Telephony": { "RtpPortMin": 20000, "RtpPortMax": 29999, "AdvertisedAddress": "203.0.113.7",
///                  "RtpInactivityTimeoutSeconds": 30, "OutboundRingTimeoutSeconds": 120,
///                  "RequireTrunkAuthorization": false, "DefaultVoiceConnector": "my-trunk",
///                  "RouteCacheFreshnessMs": 1000 } }
/// </code>
/// Anything absent keeps its embedded default (SigV4 dev mode, SQLite in the data directory).
/// </summary>
internal static class ServeConfiguration
{
    public static ControlPlaneOptions ControlPlane(IConfiguration? configuration, string dataDirectory)
    {
        var section = configuration?.GetSection("ControlPlane");
        var defaults = new ControlPlaneOptions();
        var sigV4 = section?.GetSection("SigV4");
        var mode = sigV4?["Mode"] is { } text
            ? Enum.TryParse<SigV4Mode>(text, ignoreCase: true, out var parsed) ? parsed : throw new InvalidOperationException($"ControlPlane:SigV4:Mode '{text}' is not Off, Dev or Strict.")
            : defaults.SigV4.Mode;
        var credentials = sigV4?.GetSection("Credentials").GetChildren().ToDictionary(c => c.Key, c => c.Value ?? string.Empty, StringComparer.Ordinal)
            ?? new Dictionary<string, string>(StringComparer.Ordinal);
        if (mode == SigV4Mode.Strict && credentials.Count == 0)
        {
            throw new InvalidOperationException("ControlPlane:SigV4:Mode is Strict but no ControlPlane:SigV4:Credentials are configured.");
        }

        // Number pools, order delay, deletion retention, quotas and the read cache (docs/control-plane.md).
        return ControlPlaneConfiguration.Bind(
            defaults with
            {
                AwsAccountId = section?["AwsAccountId"] ?? defaults.AwsAccountId,
                AwsRegion = section?["AwsRegion"] ?? defaults.AwsRegion,
                SigV4 = defaults.SigV4 with { Mode = mode, Credentials = credentials },
                Store = Store(configuration, dataDirectory),
            },
            section);
    }

    /// <summary>The Speech section (docs/speech.md): espeak-ng by default, or Polly; null only when configured off.</summary>
    public static ISpeechSynthesizer? Speech(IConfiguration? configuration, HttpClient http, TimeProvider time) =>
        SpeechBackends.Create(SpeechOptions.Read(key => configuration?["Speech:" + key]), http, time);

    private static ResourceStoreOptions Store(IConfiguration? configuration, string dataDirectory)
    {
        var section = configuration?.GetSection("Store");
        return section?["Provider"]?.ToLowerInvariant() switch
        {
            null or ResourceStoreOptions.Sqlite => ResourceStoreOptions.ForSqlite(dataDirectory),
            ResourceStoreOptions.PostgreSql => ResourceStoreOptions.ForPostgreSql(
                section["ConnectionString"] ?? throw new InvalidOperationException("Store:ConnectionString is required for postgresql.")),
            var other => throw new InvalidOperationException($"Store:Provider '{other}' is not sqlite or postgresql."),
        };
    }

    /// <summary>The Telephony section: RTP ports, the advertised address, timeouts and trunk checks.</summary>
    public static TelephonyOptions Telephony(IConfiguration? configuration, string? advertisedAddress = null, string? rtpPorts = null)
    {
        var section = configuration?.GetSection("Telephony");
        var defaults = new TelephonyOptions();
        var (min, max) = (Int(section, "RtpPortMin") ?? defaults.RtpPortMin, Int(section, "RtpPortMax") ?? defaults.RtpPortMax);
        if (rtpPorts is not null)
        {
            var parts = rtpPorts.Split('-', StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !int.TryParse(parts[0], out min) || !int.TryParse(parts[1], out max))
            {
                throw new InvalidOperationException($"--rtp-ports '{rtpPorts}' is not a range like 20000-29999.");
            }
        }

        if (min < 1024 || max > 65535 || max <= min)
        {
            throw new InvalidOperationException($"The RTP port range {min}-{max} must lie within 1024-65535 and hold at least one pair.");
        }

        var address = advertisedAddress ?? section?["AdvertisedAddress"];
        if (address is not null && !System.Net.IPAddress.TryParse(address, out _))
        {
            throw new InvalidOperationException($"Telephony:AdvertisedAddress '{address}' is not an IP address.");
        }

        return defaults with
        {
            RtpPortMin = min,
            RtpPortMax = max,
            AdvertisedAddress = address,
            RtpBindAddress = section?["RtpBindAddress"] ?? defaults.RtpBindAddress,
            RtpInactivityTimeout = Int(section, "RtpInactivityTimeoutSeconds") is { } idle ? TimeSpan.FromSeconds(idle) : defaults.RtpInactivityTimeout,
            OutboundRingTimeout = Int(section, "OutboundRingTimeoutSeconds") is { } ring ? TimeSpan.FromSeconds(ring) : defaults.OutboundRingTimeout,
            RequireTrunkAuthorization = section?["RequireTrunkAuthorization"] is { } require
                ? bool.TryParse(require, out var flag) ? flag : throw new InvalidOperationException($"Telephony:RequireTrunkAuthorization '{require}' is not true or false.")
                : defaults.RequireTrunkAuthorization,
            DefaultVoiceConnector = section?["DefaultVoiceConnector"],
            MediaClocks = Int(section, "MediaClocks") is { } clocks
                ? clocks is >= 1 and <= 64 ? clocks : throw new InvalidOperationException($"Telephony:MediaClocks {clocks} must be 1-64.")
                : defaults.MediaClocks,
            MediaClockSlots = Int(section, "MediaClockSlots") is { } slots
                ? slots is >= 1 and <= 20 ? slots : throw new InvalidOperationException($"Telephony:MediaClockSlots {slots} must be 1-20.")
                : defaults.MediaClockSlots,
            MediaRealTimePriority = Int(section, "MediaRealTimePriority") is { } priority
                ? priority is >= 0 and <= 98 ? priority : throw new InvalidOperationException($"Telephony:MediaRealTimePriority {priority} must be 0 (off) to 98.")
                : ServeMediaRealTimePriority,
            MediaSendLead = Int(section, "MediaSendLeadMs") is { } lead
                ? lead is >= 0 and <= 200 ? TimeSpan.FromMilliseconds(lead) : throw new InvalidOperationException($"Telephony:MediaSendLeadMs {lead} must be 0 (off) to 200.")
                : TimeSpan.FromMilliseconds(ServeMediaSendLeadMs),
            RouteCacheFreshness = ConfigurationValues.Milliseconds(configuration, "Telephony:RouteCacheFreshnessMs") ?? defaults.RouteCacheFreshness,
            TrunkDigestAlgorithms = section?.GetSection("TrunkDigestAlgorithms").Get<string[]>() is { Length: > 0 } algorithms
                ? algorithms.All(a => a is "MD5" or "SHA-256") ? algorithms : throw new InvalidOperationException($"Telephony:TrunkDigestAlgorithms may hold only MD5 and SHA-256, not {string.Join(", ", algorithms)}.")
                : null,
        };
    }

    /// <summary>
    /// The Storage section (docs/storage.md): bucket backends, S3 services and SMA access rules, and
    /// <c>PromptHeadFreshnessMs</c>, how long a prompt's HEAD is reused between plays (default 1000;
    /// 0 makes a HEAD per play).
    /// </summary>
    public static StorageOptions Storage(IConfiguration? configuration) => StorageConfiguration.Read(configuration?.GetSection("Storage"));

    /// <summary>
    /// The Sip section applied to <paramref name="options"/>: TCP/TLS connection bounds
    /// (TcpIdleTimeoutSeconds, 0 = never; MaxInboundConnections; MaxInboundConnectionsPerAddress;
    /// MaxQueuedSendBytes) and DigestRequireMatchingUri. Absent keys keep the stack's defaults.
    /// </summary>
    public static SipEndpointOptions Sip(IConfiguration? configuration, SipEndpointOptions options)
    {
        var section = configuration?.GetSection("Sip");
        var connections = options.Connections;
        int? Positive(string key) => section?[key] is not { } text ? null
            : int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= 0 ? value
            : throw new InvalidOperationException($"Sip:{key} '{text}' is not a whole number of 0 or more.");
        return options with
        {
            Connections = connections with
            {
                IdleTimeout = Positive("TcpIdleTimeoutSeconds") is { } idle ? idle == 0 ? null : TimeSpan.FromSeconds(idle) : connections.IdleTimeout,
                MaxInboundConnections = Positive("MaxInboundConnections") ?? connections.MaxInboundConnections,
                MaxInboundConnectionsPerAddress = Positive("MaxInboundConnectionsPerAddress") ?? connections.MaxInboundConnectionsPerAddress,
                MaxQueuedSendBytes = Positive("MaxQueuedSendBytes") ?? connections.MaxQueuedSendBytes,
            },
            DigestRequireMatchingUri = section?["DigestRequireMatchingUri"] is { } strict
                ? bool.TryParse(strict, out var flag) ? flag : throw new InvalidOperationException($"Sip:DigestRequireMatchingUri '{strict}' is not true or false.")
                : options.DigestRequireMatchingUri,
        };
    }

    /// <summary>serve runs its media threads under SCHED_FIFO 10/11 unless told otherwise (0 turns it off).</summary>
    public const int ServeMediaRealTimePriority = 10;

    /// <summary>The media send lead serve asks for unless <c>Telephony:MediaSendLeadMs</c> says otherwise (see docs/telephony.md).</summary>
    public const int ServeMediaSendLeadMs = 100;

    private static int? Int(IConfigurationSection? section, string key) =>
        section?[key] is not { } text ? null
        : int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value
        : throw new InvalidOperationException($"Telephony:{key} '{text}' is not a whole number.");

    /// <summary>Prefix of environment variables that override the configuration file: <c>OPENSMA_Telephony__MediaClocks=2</c> sets <c>Telephony:MediaClocks</c>.</summary>
    public const string EnvironmentPrefix = "OPENSMA_";

    /// <summary>
    /// The configuration: the JSON file (<paramref name="path"/>, else ./opensma.json when present),
    /// then <see cref="EnvironmentPrefix"/> environment variables over it. Null when there is
    /// neither a file nor such a variable.
    /// </summary>
    public static IConfiguration? Load(string? path)
    {
        var file = path ?? "opensma.json";
        var hasFile = File.Exists(file);
        if (!hasFile && path is not null)
        {
            throw new InvalidOperationException($"--config: the file '{path}' does not exist.");
        }

        var hasVariables = Environment.GetEnvironmentVariables().Keys.Cast<string>().Any(k => k.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase));
        if (!hasFile && !hasVariables)
        {
            return null;
        }

        var builder = new ConfigurationBuilder();
        if (hasFile)
        {
            builder.AddJsonFile(Path.GetFullPath(file), optional: false);
        }

        return builder.AddEnvironmentVariables(EnvironmentPrefix).Build();
    }
}
