using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenSma.ControlPlane.Http;
using OpenSma.ControlPlane.Wire;
using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Endpoints;

/// <summary>SIP media applications and their logging and Alexa-skill configurations.</summary>
internal static class SipMediaApplicationEndpoints
{
    private const string Json = "application/json";

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/sip-media-applications", (HttpContext c, ApiContext api) => CreateAsync(c, api));
        routes.MapGet("/sip-media-applications", (HttpContext c, ApiContext api) => ListAsync(c, api));
        routes.MapGet("/sip-media-applications/{sipMediaApplicationId}", (HttpContext c, ApiContext api) => GetAsync(c, api));
        routes.MapPut("/sip-media-applications/{sipMediaApplicationId}", (HttpContext c, ApiContext api) => UpdateAsync(c, api));
        routes.MapDelete("/sip-media-applications/{sipMediaApplicationId}", (HttpContext c, ApiContext api) => DeleteAsync(c, api));
        routes.MapGet("/sip-media-applications/{sipMediaApplicationId}/logging-configuration", (HttpContext c, ApiContext api) => GetLoggingAsync(c, api));
        routes.MapPut("/sip-media-applications/{sipMediaApplicationId}/logging-configuration", (HttpContext c, ApiContext api) => PutLoggingAsync(c, api));
        routes.MapGet("/sip-media-applications/{sipMediaApplicationId}/alexa-skill-configuration", (HttpContext c, ApiContext api) => GetAlexaAsync(c, api));
        routes.MapPut("/sip-media-applications/{sipMediaApplicationId}/alexa-skill-configuration", (HttpContext c, ApiContext api) => PutAlexaAsync(c, api));
    }

    public static SipMediaApplicationShape Shape(ApiContext api, SipMediaApplication sma) => new(
        sma.Id,
        sma.AwsRegion,
        sma.Name,
        [new SipMediaApplicationEndpointShape(sma.Endpoint)],
        Timestamps.Format(sma.CreatedTimestamp),
        Timestamps.Format(sma.UpdatedTimestamp),
        ApiContext.SipMediaApplicationArn(sma));

    public static async Task<SipMediaApplication> RequireAsync(ApiContext api, string id, CancellationToken cancellationToken)
    {
        var stored = await api.Store.GetAsync<SipMediaApplication>(id, cancellationToken).ConfigureAwait(false);
        return stored?.Value ?? throw new AwsErrorException(AwsError.NotFound($"SIP media application {id} not found."));
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ApiContext api)
    {
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var region = body.String("AwsRegion", required: true, minLength: 1, pattern: Patterns.AwsRegion())!;
        var name = body.String("Name", required: true, minLength: 1, maxLength: 256, pattern: Patterns.ResourceName())!;
        var endpoint = ReadEndpoint(body, required: true)!;
        var tags = TagEndpoints.ReadTags(body, "Tags", required: false);
        var cancellationToken = context.RequestAborted;

        var now = api.Now;
        var sma = new SipMediaApplication(ApiContext.NewId(), api.Options.AwsAccountId, region, name, endpoint, now, now);
        var quota = api.Options.Quotas;
        // With quotas on, the Region's count and the insert are one step in the store, whichever server is asked.
        var result = quota.Enabled
            ? (await api.Store.InsertWithinQuotaAsync([sma], quota.MaxSipMediaApplications, s => s.AwsRegion == region, cancellationToken).ConfigureAwait(false))[0]
            : await api.Store.InsertAsync(sma, cancellationToken).ConfigureAwait(false);
        switch (result.Status)
        {
            case WriteStatus.Conflict:
                throw new AwsErrorException(AwsError.Conflict($"A SIP media application named {name} already exists."));
            case WriteStatus.QuotaExceeded:
                throw new AwsErrorException(AwsError.ResourceLimitExceeded(
                    $"The quota of {quota.MaxSipMediaApplications} SIP media applications in {region} is reached."));
        }

        if (tags is { Count: > 0 })
        {
            await api.Store.PutTagsAsync(ApiContext.SipMediaApplicationArn(sma), tags, cancellationToken).ConfigureAwait(false);
        }

        return Results.Json(new SipMediaApplicationResponse(Shape(api, sma)), WireJsonContext.Default.SipMediaApplicationResponse, Json, StatusCodes.Status201Created);
    }

    private static async Task<IResult> GetAsync(HttpContext context, ApiContext api)
    {
        var sma = await RequireAsync(api, Routes.Label(context, "sipMediaApplicationId"), context.RequestAborted).ConfigureAwait(false);
        return Results.Json(new SipMediaApplicationResponse(Shape(api, sma)), WireJsonContext.Default.SipMediaApplicationResponse, Json);
    }

    private static async Task<IResult> ListAsync(HttpContext context, ApiContext api)
    {
        var (items, next) = await Pagination.ListPageAsync<SipMediaApplication>(context.Request, api.Store, 100, 100, context.RequestAborted).ConfigureAwait(false);
        return Results.Json(
            new SipMediaApplicationListResponse(items.Select(s => Shape(api, s)).ToList(), next),
            WireJsonContext.Default.SipMediaApplicationListResponse,
            Json);
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, ApiContext api)
    {
        var id = Routes.Label(context, "sipMediaApplicationId");
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var name = body.String("Name", minLength: 1, maxLength: 256, pattern: Patterns.ResourceName());
        var endpoint = ReadEndpoint(body, required: false);
        var now = api.Now;
        var result = await api.Store.MutateAsync<SipMediaApplication>(
            id,
            sma => sma with { Name = name ?? sma.Name, Endpoint = endpoint ?? sma.Endpoint, UpdatedTimestamp = now },
            context.RequestAborted).ConfigureAwait(false);
        return result.Status switch
        {
            WriteStatus.Ok => Results.Json(new SipMediaApplicationResponse(Shape(api, result.Value!)), WireJsonContext.Default.SipMediaApplicationResponse, Json),
            WriteStatus.NotFound => throw new AwsErrorException(AwsError.NotFound($"SIP media application {id} not found.")),
            WriteStatus.Conflict => throw new AwsErrorException(AwsError.Conflict($"A SIP media application named {name} already exists.")),
            _ => throw new AwsErrorException(AwsError.Conflict($"SIP media application {id} is being changed concurrently; retry.")),
        };
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, ApiContext api)
    {
        var id = Routes.Label(context, "sipMediaApplicationId");
        var cancellationToken = context.RequestAborted;
        var sma = await RequireAsync(api, id, cancellationToken).ConfigureAwait(false);
        var rules = await api.Store.ListAllAsync<SipRule>(cancellationToken).ConfigureAwait(false);
        var referencing = rules.FirstOrDefault(r => r.Value.TargetApplications.Any(t => t.SipMediaApplicationId == id));
        if (referencing is not null)
        {
            throw new AwsErrorException(AwsError.Conflict(
                $"SIP media application {id} is a target of SIP rule {referencing.Value.Id}; delete or retarget the rule first."));
        }

        var result = await api.Store.DeleteAsync<SipMediaApplication>(id, null, cancellationToken).ConfigureAwait(false);
        if (result.Status == WriteStatus.NotFound)
        {
            throw new AwsErrorException(AwsError.NotFound($"SIP media application {id} not found."));
        }

        var arn = ApiContext.SipMediaApplicationArn(sma);
        var tags = await api.Store.GetTagsAsync(arn, cancellationToken).ConfigureAwait(false);
        if (tags.Count > 0)
        {
            await api.Store.RemoveTagsAsync(arn, tags.Select(t => t.Key).ToList(), cancellationToken).ConfigureAwait(false);
        }

        return Results.NoContent();
    }

    private static async Task<IResult> GetLoggingAsync(HttpContext context, ApiContext api)
    {
        var sma = await RequireAsync(api, Routes.Label(context, "sipMediaApplicationId"), context.RequestAborted).ConfigureAwait(false);
        return Results.Json(
            new LoggingConfigurationResponse(new LoggingConfigurationShape(sma.EnableMessageLogs)),
            WireJsonContext.Default.LoggingConfigurationResponse,
            Json);
    }

    private static async Task<IResult> PutLoggingAsync(HttpContext context, ApiContext api)
    {
        var id = Routes.Label(context, "sipMediaApplicationId");
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var configuration = body.Object("SipMediaApplicationLoggingConfiguration");
        var enable = configuration?.Bool("EnableSipMediaApplicationMessageLogs");
        var now = api.Now;
        var result = await api.Store.MutateAsync<SipMediaApplication>(
            id,
            sma => sma with { EnableMessageLogs = enable, UpdatedTimestamp = now },
            context.RequestAborted).ConfigureAwait(false);
        if (!result.IsOk)
        {
            throw new AwsErrorException(AwsError.NotFound($"SIP media application {id} not found."));
        }

        return Results.Json(
            new LoggingConfigurationResponse(new LoggingConfigurationShape(result.Value!.EnableMessageLogs)),
            WireJsonContext.Default.LoggingConfigurationResponse,
            Json);
    }

    private static async Task<IResult> GetAlexaAsync(HttpContext context, ApiContext api)
    {
        var sma = await RequireAsync(api, Routes.Label(context, "sipMediaApplicationId"), context.RequestAborted).ConfigureAwait(false);
        return Results.Json(AlexaResponse(sma.AlexaSkill), WireJsonContext.Default.AlexaSkillConfigurationResponse, Json);
    }

    private static async Task<IResult> PutAlexaAsync(HttpContext context, ApiContext api)
    {
        var id = Routes.Label(context, "sipMediaApplicationId");
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var configuration = body.Object("SipMediaApplicationAlexaSkillConfiguration");
        AlexaSkillConfiguration? alexa = null;
        if (configuration is not null)
        {
            var status = configuration.Enum("AlexaSkillStatus", ["ACTIVE", "INACTIVE"], required: true)!;
            var ids = configuration.StringList("AlexaSkillIds", required: true, minItems: 1, maxItems: 1, maxLength: 64, pattern: Patterns.AlexaSkillId())!;
            alexa = new AlexaSkillConfiguration(status, ids);
        }

        var now = api.Now;
        var result = await api.Store.MutateAsync<SipMediaApplication>(
            id,
            sma => sma with { AlexaSkill = alexa, UpdatedTimestamp = now },
            context.RequestAborted).ConfigureAwait(false);
        if (!result.IsOk)
        {
            throw new AwsErrorException(AwsError.NotFound($"SIP media application {id} not found."));
        }

        return Results.Json(AlexaResponse(result.Value!.AlexaSkill), WireJsonContext.Default.AlexaSkillConfigurationResponse, Json);
    }

    private static AlexaSkillConfigurationResponse AlexaResponse(AlexaSkillConfiguration? alexa) =>
        new(alexa is null ? null : new AlexaSkillConfigurationShape(alexa.AlexaSkillStatus, alexa.AlexaSkillIds));

    /// <summary>The one endpoint: a Lambda ARN as the model requires, or an http(s) URL for an HTTP handler.</summary>
    private static string? ReadEndpoint(JsonBody body, bool required)
    {
        var endpoints = body.ObjectList("Endpoints", required, minItems: 1, maxItems: 1);
        if (endpoints is null)
        {
            return null;
        }

        var arn = endpoints[0].String("LambdaArn", required: true, minLength: 1, maxLength: 10000)!;
        var isUrl = Uri.TryCreate(arn, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
        if (!isUrl && !Patterns.LambdaArn().IsMatch(arn))
        {
            throw JsonBody.Bad("Endpoints[0].LambdaArn must be a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>) or an http(s) URL.");
        }

        return arn;
    }
}
