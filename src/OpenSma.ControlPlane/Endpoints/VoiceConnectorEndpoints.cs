using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenSma.ControlPlane.Http;
using OpenSma.ControlPlane.Wire;
using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Endpoints;

/// <summary>Voice connectors (SIP trunks): CRUD, number association and global settings.
/// Their per-connector configurations live in <see cref="VoiceConnectorConfigurationEndpoints"/>.</summary>
internal static class VoiceConnectorEndpoints
{
    private const string Json = "application/json";
    private const string CdrBucketSetting = "global-settings.cdr-bucket";

    internal static readonly string[] Regions =
        ["us-east-1", "us-west-2", "ca-central-1", "eu-central-1", "eu-west-1", "eu-west-2", "ap-northeast-2", "ap-northeast-1", "ap-southeast-1", "ap-southeast-2"];

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/voice-connectors", (HttpContext c, ApiContext api) => CreateAsync(c, api));
        routes.MapGet("/voice-connectors", (HttpContext c, ApiContext api) => ListAsync(c, api));
        routes.MapGet("/voice-connectors/{voiceConnectorId}", (HttpContext c, ApiContext api) => GetAsync(c, api));
        routes.MapPut("/voice-connectors/{voiceConnectorId}", (HttpContext c, ApiContext api) => UpdateAsync(c, api));
        routes.MapDelete("/voice-connectors/{voiceConnectorId}", (HttpContext c, ApiContext api) => DeleteAsync(c, api));
        routes.MapPost("/voice-connectors/{voiceConnectorId}", (HttpContext c, ApiContext api) => Routes.Operation(c) switch
        {
            "associate-phone-numbers" => AssociateAsync(c, api, associate: true),
            "disassociate-phone-numbers" => AssociateAsync(c, api, associate: false),
            _ => throw Routes.UnknownOperation(c),
        });
        routes.MapGet("/voice-connector-regions", () => Results.Json(
            new VoiceConnectorRegionsResponse(Regions), WireJsonContext.Default.VoiceConnectorRegionsResponse, Json));
        routes.MapGet("/settings", (HttpContext c, ApiContext api) => GetSettingsAsync(c, api));
        routes.MapPut("/settings", (HttpContext c, ApiContext api) => PutSettingsAsync(c, api));
    }

    public static VoiceConnectorShape Shape(VoiceConnector vc) => new(
        vc.Id,
        vc.AwsRegion,
        vc.Name,
        vc.OutboundHostName,
        vc.RequireEncryption,
        Timestamps.Format(vc.CreatedTimestamp),
        Timestamps.Format(vc.UpdatedTimestamp),
        ApiContext.VoiceConnectorArn(vc.AwsRegion, vc.AwsAccountId, vc.Id),
        vc.IntegrationType,
        vc.NetworkType);

    public static async Task<Stored<VoiceConnector>> RequireAsync(ApiContext api, string id, CancellationToken cancellationToken) =>
        await api.Store.GetAsync<VoiceConnector>(id, cancellationToken).ConfigureAwait(false)
        ?? throw new AwsErrorException(AwsError.NotFound($"Voice connector {id} not found."));

    private static IResult Ok(VoiceConnector vc, int status = StatusCodes.Status200OK) =>
        Results.Json(new VoiceConnectorResponse(Shape(vc)), WireJsonContext.Default.VoiceConnectorResponse, Json, status);

    /// <summary>AWS voice connector ids are 22 lower-case letters and digits.</summary>
    private static string NewVoiceConnectorId() => RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 22);

    private static async Task<IResult> CreateAsync(HttpContext context, ApiContext api)
    {
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var name = body.String("Name", required: true, minLength: 1, maxLength: 256, pattern: Patterns.ResourceName())!;
        var region = body.Enum("AwsRegion", Regions) ?? (Regions.Contains(api.Options.AwsRegion) ? api.Options.AwsRegion : "us-east-1");
        var requireEncryption = body.Bool("RequireEncryption", required: true)!.Value;
        var integration = body.Enum("IntegrationType", ["CONNECT_CALL_TRANSFER_CONNECTOR", "CONNECT_ANALYTICS_CONNECTOR"]);
        var network = body.Enum("NetworkType", ["IPV4_ONLY", "DUAL_STACK"]);
        var tags = TagEndpoints.ReadTags(body, "Tags", required: false);
        var id = NewVoiceConnectorId();
        var now = api.Now;
        var vc = new VoiceConnector(id, api.Options.AwsAccountId, region, name, $"{id}.{api.Options.VoiceConnectorHostSuffix}",
            requireEncryption, integration, network, now, now);
        var result = await api.Store.InsertAsync(vc, context.RequestAborted).ConfigureAwait(false);
        if (!result.IsOk)
        {
            throw new AwsErrorException(AwsError.ServiceFailure("Could not allocate a voice connector id; retry."));
        }

        if (tags is { Count: > 0 })
        {
            await api.Store.PutTagsAsync(ApiContext.VoiceConnectorArn(region, vc.AwsAccountId, id), tags, context.RequestAborted).ConfigureAwait(false);
        }

        return Ok(vc, StatusCodes.Status201Created);
    }

    private static async Task<IResult> GetAsync(HttpContext context, ApiContext api) =>
        Ok((await RequireAsync(api, Routes.Label(context, "voiceConnectorId"), context.RequestAborted).ConfigureAwait(false)).Value);

    private static async Task<IResult> ListAsync(HttpContext context, ApiContext api)
    {
        var (items, next) = await Pagination.ListPageAsync<VoiceConnector>(context.Request, api.Store, 100, 100, context.RequestAborted).ConfigureAwait(false);
        return Results.Json(new VoiceConnectorListResponse(items.Select(Shape).ToList(), next), WireJsonContext.Default.VoiceConnectorListResponse, Json);
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, ApiContext api)
    {
        var id = Routes.Label(context, "voiceConnectorId");
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var name = body.String("Name", required: true, minLength: 1, maxLength: 256, pattern: Patterns.ResourceName())!;
        var requireEncryption = body.Bool("RequireEncryption", required: true)!.Value;
        var now = api.Now;
        var result = await api.Store.MutateAsync<VoiceConnector>(
            id, vc => vc with { Name = name, RequireEncryption = requireEncryption, UpdatedTimestamp = now }, context.RequestAborted).ConfigureAwait(false);
        return result.IsOk ? Ok(result.Value!) : throw new AwsErrorException(AwsError.NotFound($"Voice connector {id} not found."));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, ApiContext api)
    {
        var id = Routes.Label(context, "voiceConnectorId");
        var cancellationToken = context.RequestAborted;
        var vc = await RequireAsync(api, id, cancellationToken).ConfigureAwait(false);
        if (await PhoneNumberAssociations.AnyAssociatedAsync(api, "VoiceConnectorId", id, cancellationToken).ConfigureAwait(false))
        {
            throw new AwsErrorException(AwsError.Conflict($"Voice connector {id} has phone numbers; disassociate them first.", "PhoneNumberAssociationsExist"));
        }

        var groups = await api.Store.ListAllAsync<VoiceConnectorGroup>(cancellationToken).ConfigureAwait(false);
        var group = groups.FirstOrDefault(g => g.Value.VoiceConnectorItems.Any(i => i.VoiceConnectorId == id));
        if (group is not null)
        {
            throw new AwsErrorException(AwsError.Conflict($"Voice connector {id} belongs to group {group.Value.Id}; remove it first.", "VoiceConnectorGroupAssociationsExist"));
        }

        await api.Store.DeleteAsync<VoiceConnector>(id, null, cancellationToken).ConfigureAwait(false);

        // The connector's proxy settings and sessions go with it (their numbers were its numbers).
        await api.Store.DeleteAsync<VoiceConnectorProxy>(id, null, cancellationToken).ConfigureAwait(false);
        foreach (var session in await api.Store.ListAllAsync<ProxySession>(cancellationToken).ConfigureAwait(false))
        {
            if (session.Value.VoiceConnectorId == id)
            {
                await api.Store.DeleteAsync<ProxySession>(session.Value.Id, null, cancellationToken).ConfigureAwait(false);
            }
        }

        var arn = ApiContext.VoiceConnectorArn(vc.Value.AwsRegion, vc.Value.AwsAccountId, id);
        var tags = await api.Store.GetTagsAsync(arn, cancellationToken).ConfigureAwait(false);
        if (tags.Count > 0)
        {
            await api.Store.RemoveTagsAsync(arn, tags.Select(t => t.Key).ToList(), cancellationToken).ConfigureAwait(false);
        }

        return Results.NoContent();
    }

    private static async Task<IResult> AssociateAsync(HttpContext context, ApiContext api, bool associate)
    {
        var id = Routes.Label(context, "voiceConnectorId");
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var numbers = body.StringList("E164PhoneNumbers", required: true, pattern: Patterns.E164())!;
        var force = body.Bool("ForceAssociate") ?? false;
        await RequireAsync(api, id, context.RequestAborted).ConfigureAwait(false);
        var errors = associate
            ? await PhoneNumberAssociations.AssociateAsync(api, "VoiceConnectorId", id, numbers, force, context.RequestAborted).ConfigureAwait(false)
            : await PhoneNumberAssociations.DisassociateAsync(api, "VoiceConnectorId", id, numbers, context.RequestAborted).ConfigureAwait(false);
        return Results.Json(new PhoneNumberErrorsResponse(errors), WireJsonContext.Default.PhoneNumberErrorsResponse, Json);
    }

    private static async Task<IResult> GetSettingsAsync(HttpContext context, ApiContext api)
    {
        var bucket = await api.Store.GetSettingAsync(CdrBucketSetting, context.RequestAborted).ConfigureAwait(false);
        return Results.Json(new GlobalSettingsResponse(new VoiceConnectorSettingsShape(bucket)), WireJsonContext.Default.GlobalSettingsResponse, Json);
    }

    private static async Task<IResult> PutSettingsAsync(HttpContext context, ApiContext api)
    {
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var settings = body.Object("VoiceConnector");
        var bucket = settings?.String("CdrBucket");
        if (bucket is not null)
        {
            await api.Store.PutSettingAsync(CdrBucketSetting, bucket, context.RequestAborted).ConfigureAwait(false);
        }

        return Results.NoContent();
    }

    /// <summary>An IPv4 or IPv6 CIDR block such as <c>203.0.113.0/24</c>.</summary>
    public static bool IsCidr(string value)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !IPAddress.TryParse(value.AsSpan(0, slash), out var address)
            || !int.TryParse(value.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bits))
        {
            return false;
        }

        return bits <= (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
    }
}
