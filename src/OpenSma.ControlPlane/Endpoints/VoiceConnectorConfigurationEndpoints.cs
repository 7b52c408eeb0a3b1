using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenSma.ControlPlane.Http;
using OpenSma.ControlPlane.Wire;
using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Endpoints;

/// <summary>Per-connector configurations: termination (+ credentials, health), origination,
/// logging, streaming, emergency calling and external systems.</summary>
internal static class VoiceConnectorConfigurationEndpoints
{
    private const string Json = "application/json";
    private const string Base = "/voice-connectors/{voiceConnectorId}";

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPut(Base + "/termination", (HttpContext c, ApiContext api) => PutTerminationAsync(c, api));
        routes.MapGet(Base + "/termination", (HttpContext c, ApiContext api) => GetPartAsync(c, api, vc => vc.Termination, "termination", t =>
            Results.Json(new TerminationResponse(TerminationShapeOf(t)), WireJsonContext.Default.TerminationResponse, Json)));
        routes.MapDelete(Base + "/termination", (HttpContext c, ApiContext api) => DeletePartAsync(c, api, vc => vc.Termination is not null, vc => vc with { Termination = null, Credentials = null }, "termination"));
        routes.MapGet(Base + "/termination/health", (HttpContext c, ApiContext api) => GetPartAsync(c, api, vc => vc.Termination, "termination", _ =>
            Results.Json(new TerminationHealthResponse(new TerminationHealthShape(Timestamps.Format(api.Now), null)), WireJsonContext.Default.TerminationHealthResponse, Json)));
        routes.MapPost(Base + "/termination/credentials", (HttpContext c, ApiContext api) => Routes.Operation(c) switch
        {
            "put" => PutCredentialsAsync(c, api),
            "delete" => DeleteCredentialsAsync(c, api),
            _ => throw Routes.UnknownOperation(c),
        });
        routes.MapGet(Base + "/termination/credentials", (HttpContext c, ApiContext api) => ListCredentialsAsync(c, api));

        routes.MapPut(Base + "/origination", (HttpContext c, ApiContext api) => PutOriginationAsync(c, api));
        routes.MapGet(Base + "/origination", (HttpContext c, ApiContext api) => GetPartAsync(c, api, vc => vc.Origination, "origination", o =>
            Results.Json(new OriginationResponse(OriginationShapeOf(o)), WireJsonContext.Default.OriginationResponse, Json)));
        routes.MapDelete(Base + "/origination", (HttpContext c, ApiContext api) => DeletePartAsync(c, api, vc => vc.Origination is not null, vc => vc with { Origination = null }, "origination"));

        routes.MapPut(Base + "/logging-configuration", (HttpContext c, ApiContext api) => PutLoggingAsync(c, api));
        routes.MapGet(Base + "/logging-configuration", async (HttpContext c, ApiContext api) =>
        {
            var vc = (await VoiceConnectorEndpoints.RequireAsync(api, Routes.Label(c, "voiceConnectorId"), c.RequestAborted).ConfigureAwait(false)).Value;
            var logging = vc.Logging ?? new VoiceConnectorLogging(false, false);
            return Results.Json(new VoiceConnectorLoggingResponse(new VoiceConnectorLoggingShape(logging.EnableSipLogs, logging.EnableMediaMetricLogs)), WireJsonContext.Default.VoiceConnectorLoggingResponse, Json);
        });

        routes.MapPut(Base + "/streaming-configuration", (HttpContext c, ApiContext api) => PutStreamingAsync(c, api));
        routes.MapGet(Base + "/streaming-configuration", (HttpContext c, ApiContext api) => GetPartAsync(c, api, vc => vc.Streaming, "streaming configuration", s =>
            Results.Json(new StreamingConfigurationResponse(StreamingShapeOf(s)), WireJsonContext.Default.StreamingConfigurationResponse, Json)));
        routes.MapDelete(Base + "/streaming-configuration", (HttpContext c, ApiContext api) => DeletePartAsync(c, api, vc => vc.Streaming is not null, vc => vc with { Streaming = null }, "streaming configuration"));

        routes.MapPut(Base + "/emergency-calling-configuration", (HttpContext c, ApiContext api) => PutEmergencyAsync(c, api));
        routes.MapGet(Base + "/emergency-calling-configuration", (HttpContext c, ApiContext api) => GetPartAsync(c, api, vc => vc.EmergencyCallingJson, "emergency calling configuration", e =>
            Results.Json(new EmergencyCallingConfigurationResponse(JsonDocument.Parse(e).RootElement.Clone()), WireJsonContext.Default.EmergencyCallingConfigurationResponse, Json)));
        routes.MapDelete(Base + "/emergency-calling-configuration", (HttpContext c, ApiContext api) => DeletePartAsync(c, api, vc => vc.EmergencyCallingJson is not null, vc => vc with { EmergencyCallingJson = null }, "emergency calling configuration"));

        routes.MapPut(Base + "/external-systems-configuration", (HttpContext c, ApiContext api) => PutExternalSystemsAsync(c, api));
        routes.MapGet(Base + "/external-systems-configuration", (HttpContext c, ApiContext api) => GetPartAsync(c, api, vc => vc.ExternalSystems, "external systems configuration", e =>
            Results.Json(new ExternalSystemsConfigurationResponse(new ExternalSystemsConfigurationShape(e.SessionBorderControllerTypes, e.ContactCenterSystemTypes)), WireJsonContext.Default.ExternalSystemsConfigurationResponse, Json)));
        routes.MapDelete(Base + "/external-systems-configuration", (HttpContext c, ApiContext api) => DeletePartAsync(c, api, vc => vc.ExternalSystems is not null, vc => vc with { ExternalSystems = null }, "external systems configuration"));
    }

    private static TerminationShape TerminationShapeOf(VoiceConnectorTermination t) => new(t.CpsLimit, t.DefaultPhoneNumber, t.CallingRegions, t.CidrAllowedList, t.Disabled);

    private static OriginationShape OriginationShapeOf(VoiceConnectorOrigination o) =>
        new(o.Routes.Select(r => new OriginationRouteShape(r.Host, r.Port, r.Protocol, r.Priority, r.Weight)).ToList(), o.Disabled);

    private static StreamingConfigurationShape StreamingShapeOf(VoiceConnectorStreaming s) => new(
        s.DataRetentionInHours,
        s.Disabled,
        s.NotificationTargets.Count == 0 ? null : s.NotificationTargets.Select(t => new StreamingNotificationTargetShape(t)).ToList(),
        s.MediaInsightsDisabled is null && s.MediaInsightsConfigurationArn is null ? null : new MediaInsightsConfigurationShape(s.MediaInsightsDisabled, s.MediaInsightsConfigurationArn));

    private static async Task<IResult> GetPartAsync<T>(HttpContext context, ApiContext api, Func<VoiceConnector, T?> part, string what, Func<T, IResult> respond)
        where T : class
    {
        var id = Routes.Label(context, "voiceConnectorId");
        var vc = await VoiceConnectorEndpoints.RequireAsync(api, id, context.RequestAborted).ConfigureAwait(false);
        var value = part(vc.Value) ?? throw new AwsErrorException(AwsError.NotFound($"Voice connector {id} has no {what}."));
        return respond(value);
    }

    private static async Task<IResult> DeletePartAsync(HttpContext context, ApiContext api, Func<VoiceConnector, bool> has, Func<VoiceConnector, VoiceConnector> clear, string what)
    {
        var id = Routes.Label(context, "voiceConnectorId");
        var now = api.Now;
        var found = true;
        var result = await api.Store.MutateAsync<VoiceConnector>(
            id,
            vc =>
            {
                found = has(vc);
                return found ? clear(vc) with { UpdatedTimestamp = now } : null;
            },
            context.RequestAborted).ConfigureAwait(false);
        if (result.Status == WriteStatus.NotFound)
        {
            throw new AwsErrorException(AwsError.NotFound($"Voice connector {id} not found."));
        }

        return found ? Results.NoContent() : throw new AwsErrorException(AwsError.NotFound($"Voice connector {id} has no {what}."));
    }

    private static async Task<VoiceConnector> MutateAsync(HttpContext context, ApiContext api, Func<VoiceConnector, VoiceConnector> change)
    {
        var id = Routes.Label(context, "voiceConnectorId");
        var now = api.Now;
        var result = await api.Store.MutateAsync<VoiceConnector>(id, vc => change(vc) with { UpdatedTimestamp = now }, context.RequestAborted).ConfigureAwait(false);
        return result.IsOk ? result.Value! : throw new AwsErrorException(AwsError.NotFound($"Voice connector {id} not found."));
    }

    private static async Task<IResult> PutTerminationAsync(HttpContext context, ApiContext api)
    {
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var t = body.Object("Termination", required: true)!;
        var cps = t.Int("CpsLimit", min: 1);
        var defaultNumber = t.String("DefaultPhoneNumber", pattern: Patterns.E164());
        var regions = t.StringList("CallingRegions", pattern: Patterns.CountryCode()) ?? [];
        var cidrs = t.StringList("CidrAllowedList") ?? [];
        foreach (var cidr in cidrs)
        {
            if (!VoiceConnectorEndpoints.IsCidr(cidr))
            {
                throw JsonBody.Bad($"Termination.CidrAllowedList: {cidr} is not a CIDR block.");
            }
        }

        var disabled = t.Bool("Disabled") ?? false;
        var termination = new VoiceConnectorTermination(cps, defaultNumber, regions, cidrs, disabled);
        var vc = await MutateAsync(context, api, vc => vc with { Termination = termination }).ConfigureAwait(false);
        return Results.Json(new TerminationResponse(TerminationShapeOf(vc.Termination!)), WireJsonContext.Default.TerminationResponse, Json);
    }

    private static async Task<IResult> PutCredentialsAsync(HttpContext context, ApiContext api)
    {
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var items = body.ObjectList("Credentials") ?? [];
        var credentials = items.Select(c => new TerminationCredential(
            c.String("Username", required: true, minLength: 1)!,
            c.String("Password", required: true, minLength: 1)!)).ToList();
        await MutateAsync(context, api, vc =>
        {
            var merged = (vc.Credentials ?? []).Where(old => credentials.All(c => c.Username != old.Username)).Concat(credentials).ToList();
            return vc with { Credentials = merged };
        }).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> DeleteCredentialsAsync(HttpContext context, ApiContext api)
    {
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var usernames = body.StringList("Usernames", required: true)!;
        await MutateAsync(context, api, vc => vc with { Credentials = (vc.Credentials ?? []).Where(c => !usernames.Contains(c.Username)).ToList() }).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> ListCredentialsAsync(HttpContext context, ApiContext api)
    {
        var vc = await VoiceConnectorEndpoints.RequireAsync(api, Routes.Label(context, "voiceConnectorId"), context.RequestAborted).ConfigureAwait(false);
        var usernames = (vc.Value.Credentials ?? []).Select(c => c.Username).ToList();
        return Results.Json(new UsernamesResponse(usernames), WireJsonContext.Default.UsernamesResponse, Json);
    }

    private static async Task<IResult> PutOriginationAsync(HttpContext context, ApiContext api)
    {
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var o = body.Object("Origination", required: true)!;
        var routes = (o.ObjectList("Routes") ?? []).Select(r => new OriginationRoute(
            r.NonEmptyString("Host", required: true)!,
            r.Int("Port", min: 0, max: 65535) ?? 5060,
            r.Enum("Protocol", ["TCP", "UDP"]) ?? "UDP",
            r.Int("Priority", required: true, min: 1, max: 100)!.Value,
            r.Int("Weight", required: true, min: 1, max: 100)!.Value)).ToList();
        var disabled = o.Bool("Disabled") ?? false;
        if (routes.Count == 0 && !disabled)
        {
            throw JsonBody.Bad("Origination.Routes must have at least one route unless Origination.Disabled is true.");
        }

        var vc = await MutateAsync(context, api, vc => vc with { Origination = new VoiceConnectorOrigination(routes, disabled) }).ConfigureAwait(false);
        return Results.Json(new OriginationResponse(OriginationShapeOf(vc.Origination!)), WireJsonContext.Default.OriginationResponse, Json);
    }

    private static async Task<IResult> PutLoggingAsync(HttpContext context, ApiContext api)
    {
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var l = body.Object("LoggingConfiguration", required: true)!;
        var logging = new VoiceConnectorLogging(l.Bool("EnableSIPLogs") ?? false, l.Bool("EnableMediaMetricLogs") ?? false);
        await MutateAsync(context, api, vc => vc with { Logging = logging }).ConfigureAwait(false);
        return Results.Json(new VoiceConnectorLoggingResponse(new VoiceConnectorLoggingShape(logging.EnableSipLogs, logging.EnableMediaMetricLogs)), WireJsonContext.Default.VoiceConnectorLoggingResponse, Json);
    }

    private static async Task<IResult> PutStreamingAsync(HttpContext context, ApiContext api)
    {
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var s = body.Object("StreamingConfiguration", required: true)!;
        var retention = s.Int("DataRetentionInHours", required: true, min: 0)!.Value;
        var disabled = s.Bool("Disabled", required: true)!.Value;
        var targets = (s.ObjectList("StreamingNotificationTargets", minItems: 1, maxItems: 3) ?? [])
            .Select(t => t.Enum("NotificationTarget", ["EventBridge", "SNS", "SQS"])!)
            .Where(t => t is not null)
            .ToList();
        var insights = s.Object("MediaInsightsConfiguration");
        var streaming = new VoiceConnectorStreaming(
            retention, disabled, targets,
            insights?.Bool("Disabled"),
            insights?.String("ConfigurationArn", minLength: 1, maxLength: 1024, pattern: Patterns.Arn()));
        await MutateAsync(context, api, vc => vc with { Streaming = streaming }).ConfigureAwait(false);
        return Results.Json(new StreamingConfigurationResponse(StreamingShapeOf(streaming)), WireJsonContext.Default.StreamingConfigurationResponse, Json);
    }

    private static async Task<IResult> PutEmergencyAsync(HttpContext context, ApiContext api)
    {
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var e = body.Object("EmergencyCallingConfiguration", required: true)!;
        var dnis = e.ObjectList("DNIS") ?? [];
        var entries = dnis.Select(d => new Dictionary<string, string?>
        {
            ["EmergencyPhoneNumber"] = d.String("EmergencyPhoneNumber", required: true, pattern: Patterns.E164()),
            ["TestPhoneNumber"] = d.String("TestPhoneNumber", pattern: Patterns.E164()),
            ["CallingCountry"] = d.String("CallingCountry", required: true, pattern: Patterns.CountryCode()),
        }).ToList();
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("DNIS");
            foreach (var entry in entries)
            {
                writer.WriteStartObject();
                foreach (var (key, value) in entry.Where(kv => kv.Value is not null))
                {
                    writer.WriteString(key, value);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        var json = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        await MutateAsync(context, api, vc => vc with { EmergencyCallingJson = json }).ConfigureAwait(false);
        return Results.Json(new EmergencyCallingConfigurationResponse(JsonDocument.Parse(json).RootElement.Clone()), WireJsonContext.Default.EmergencyCallingConfigurationResponse, Json);
    }

    private static async Task<IResult> PutExternalSystemsAsync(HttpContext context, ApiContext api)
    {
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var sbc = body.StringList("SessionBorderControllerTypes") ?? [];
        var contact = body.StringList("ContactCenterSystemTypes") ?? [];
        string[] sbcTypes = ["RIBBON_SBC", "ORACLE_ACME_PACKET_SBC", "AVAYA_SBCE", "CISCO_UNIFIED_BORDER_ELEMENT", "AUDIOCODES_MEDIANT_SBC"];
        string[] contactTypes = ["GENESYS_ENGAGE_ON_PREMISES", "AVAYA_AURA_CALL_CENTER_ELITE", "AVAYA_AURA_CONTACT_CENTER", "CISCO_UNIFIED_CONTACT_CENTER_ENTERPRISE"];
        var unknown = sbc.Except(sbcTypes).Concat(contact.Except(contactTypes)).FirstOrDefault();
        if (unknown is not null)
        {
            throw JsonBody.Bad($"{unknown} is not a known SessionBorderControllerType or ContactCenterSystemType.");
        }

        var external = new VoiceConnectorExternalSystems(sbc, contact);
        await MutateAsync(context, api, vc => vc with { ExternalSystems = external }).ConfigureAwait(false);
        return Results.Json(new ExternalSystemsConfigurationResponse(new ExternalSystemsConfigurationShape(sbc, contact)), WireJsonContext.Default.ExternalSystemsConfigurationResponse, Json);
    }
}
