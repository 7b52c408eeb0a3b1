using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenSma.ControlPlane.Http;
using OpenSma.ControlPlane.Wire;
using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Endpoints;

/// <summary>Voice connector groups: connectors tried in priority order for fail-over.</summary>
internal static class VoiceConnectorGroupEndpoints
{
    private const string Json = "application/json";

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/voice-connector-groups", (HttpContext c, ApiContext api) => CreateAsync(c, api));
        routes.MapGet("/voice-connector-groups", (HttpContext c, ApiContext api) => ListAsync(c, api));
        routes.MapGet("/voice-connector-groups/{voiceConnectorGroupId}", (HttpContext c, ApiContext api) => GetAsync(c, api));
        routes.MapPut("/voice-connector-groups/{voiceConnectorGroupId}", (HttpContext c, ApiContext api) => UpdateAsync(c, api));
        routes.MapDelete("/voice-connector-groups/{voiceConnectorGroupId}", (HttpContext c, ApiContext api) => DeleteAsync(c, api));
        routes.MapPost("/voice-connector-groups/{voiceConnectorGroupId}", (HttpContext c, ApiContext api) => Routes.Operation(c) switch
        {
            "associate-phone-numbers" => AssociateAsync(c, api, associate: true),
            "disassociate-phone-numbers" => AssociateAsync(c, api, associate: false),
            _ => throw Routes.UnknownOperation(c),
        });
    }

    private static VoiceConnectorGroupShape Shape(VoiceConnectorGroup g) => new(
        g.Id,
        g.Name,
        g.VoiceConnectorItems.Select(i => new VoiceConnectorItemShape(i.VoiceConnectorId, i.Priority)).ToList(),
        Timestamps.Format(g.CreatedTimestamp),
        Timestamps.Format(g.UpdatedTimestamp),
        ApiContext.VoiceConnectorGroupArn(g.AwsRegion, g.AwsAccountId, g.Id),
        g.CallDistributionType);

    private static IResult Ok(VoiceConnectorGroup g, int status = StatusCodes.Status200OK) =>
        Results.Json(new VoiceConnectorGroupResponse(Shape(g)), WireJsonContext.Default.VoiceConnectorGroupResponse, Json, status);

    private static async Task<IReadOnlyList<VoiceConnectorItem>?> ReadItemsAsync(JsonBody body, ApiContext api, bool required, CancellationToken cancellationToken)
    {
        var items = body.ObjectList("VoiceConnectorItems", required);
        if (items is null)
        {
            return null;
        }

        var result = new List<VoiceConnectorItem>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var id = items[i].NonEmptyString("VoiceConnectorId", required: true)!;
            var priority = items[i].Int("Priority", min: 1, max: 99) ?? 1;
            if (await api.Store.GetAsync<VoiceConnector>(id, cancellationToken).ConfigureAwait(false) is null)
            {
                throw JsonBody.Bad($"VoiceConnectorItems[{i}].VoiceConnectorId: voice connector {id} does not exist.");
            }

            result.Add(new VoiceConnectorItem(id, priority));
        }

        if (result.Select(i => i.VoiceConnectorId).Distinct(StringComparer.Ordinal).Count() != result.Count)
        {
            throw JsonBody.Bad("VoiceConnectorItems must not repeat a VoiceConnectorId.");
        }

        return result.OrderBy(i => i.Priority).ToList();
    }

    private static string? ReadDistribution(JsonBody body) =>
        body.Enum("CallDistributionType", ["LoadBalancedDistribution", "PriorityWeightedDistribution"]);

    private static async Task<IResult> CreateAsync(HttpContext context, ApiContext api)
    {
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var name = body.String("Name", required: true, minLength: 1, maxLength: 256, pattern: Patterns.ResourceName())!;
        var items = await ReadItemsAsync(body, api, required: false, context.RequestAborted).ConfigureAwait(false) ?? [];
        var distribution = ReadDistribution(body);
        var now = api.Now;
        var group = new VoiceConnectorGroup(ApiContext.NewId(), api.Options.AwsAccountId, api.Options.AwsRegion, name, items, distribution, now, now);
        await api.Store.InsertAsync(group, context.RequestAborted).ConfigureAwait(false);
        return Ok(group, StatusCodes.Status201Created);
    }

    private static async Task<IResult> GetAsync(HttpContext context, ApiContext api)
    {
        var id = Routes.Label(context, "voiceConnectorGroupId");
        var group = await api.Store.GetAsync<VoiceConnectorGroup>(id, context.RequestAborted).ConfigureAwait(false)
            ?? throw new AwsErrorException(AwsError.NotFound($"Voice connector group {id} not found."));
        return Ok(group.Value);
    }

    private static async Task<IResult> ListAsync(HttpContext context, ApiContext api)
    {
        var (items, next) = await Pagination.ListPageAsync<VoiceConnectorGroup>(context.Request, api.Store, 100, 100, context.RequestAborted).ConfigureAwait(false);
        return Results.Json(new VoiceConnectorGroupListResponse(items.Select(Shape).ToList(), next), WireJsonContext.Default.VoiceConnectorGroupListResponse, Json);
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, ApiContext api)
    {
        var id = Routes.Label(context, "voiceConnectorGroupId");
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var name = body.String("Name", required: true, minLength: 1, maxLength: 256, pattern: Patterns.ResourceName())!;
        var items = (await ReadItemsAsync(body, api, required: true, context.RequestAborted).ConfigureAwait(false))!;
        var distribution = ReadDistribution(body);
        var now = api.Now;
        var result = await api.Store.MutateAsync<VoiceConnectorGroup>(
            id,
            g => g with { Name = name, VoiceConnectorItems = items, CallDistributionType = distribution ?? g.CallDistributionType, UpdatedTimestamp = now },
            context.RequestAborted).ConfigureAwait(false);
        return result.IsOk
            ? Ok(result.Value!, StatusCodes.Status202Accepted)
            : throw new AwsErrorException(AwsError.NotFound($"Voice connector group {id} not found."));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, ApiContext api)
    {
        var id = Routes.Label(context, "voiceConnectorGroupId");
        var cancellationToken = context.RequestAborted;
        var group = await api.Store.GetAsync<VoiceConnectorGroup>(id, cancellationToken).ConfigureAwait(false)
            ?? throw new AwsErrorException(AwsError.NotFound($"Voice connector group {id} not found."));
        if (await PhoneNumberAssociations.AnyAssociatedAsync(api, "VoiceConnectorGroupId", id, cancellationToken).ConfigureAwait(false))
        {
            throw new AwsErrorException(AwsError.Conflict($"Voice connector group {id} has phone numbers; disassociate them first.", "PhoneNumberAssociationsExist"));
        }

        if (group.Value.VoiceConnectorItems.Count > 0)
        {
            throw new AwsErrorException(AwsError.Conflict($"Voice connector group {id} still lists voice connectors; remove them first.", "VoiceConnectorGroupAssociationsExist"));
        }

        await api.Store.DeleteAsync<VoiceConnectorGroup>(id, null, cancellationToken).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> AssociateAsync(HttpContext context, ApiContext api, bool associate)
    {
        var id = Routes.Label(context, "voiceConnectorGroupId");
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var numbers = body.StringList("E164PhoneNumbers", required: true, pattern: Patterns.E164())!;
        var force = body.Bool("ForceAssociate") ?? false;
        if (await api.Store.GetAsync<VoiceConnectorGroup>(id, context.RequestAborted).ConfigureAwait(false) is null)
        {
            throw new AwsErrorException(AwsError.NotFound($"Voice connector group {id} not found."));
        }

        var errors = associate
            ? await PhoneNumberAssociations.AssociateAsync(api, "VoiceConnectorGroupId", id, numbers, force, context.RequestAborted).ConfigureAwait(false)
            : await PhoneNumberAssociations.DisassociateAsync(api, "VoiceConnectorGroupId", id, numbers, context.RequestAborted).ConfigureAwait(false);
        return Results.Json(new PhoneNumberErrorsResponse(errors), WireJsonContext.Default.PhoneNumberErrorsResponse, Json);
    }
}
