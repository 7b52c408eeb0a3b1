using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenSma.ControlPlane.Http;
using OpenSma.ControlPlane.PhoneNumbers;
using OpenSma.ControlPlane.Wire;
using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Endpoints;

/// <summary>The number inventory: list, get, update, delete into the deletion queue, restore,
/// batch operations and the account's calling-name setting.</summary>
internal static class PhoneNumberEndpoints
{
    private const string Json = "application/json";
    private const string CallingNameSetting = "phone-number-settings.calling-name";
    private const string CallingNameUpdatedSetting = "phone-number-settings.calling-name-updated";
    private static readonly PhoneNumberCapabilitiesShape VoiceOnly = new(true, true, false, false, false, false);

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/phone-numbers", (HttpContext c, ApiContext api, PhoneNumberInventory inv) => ListAsync(c, api, inv));
        routes.MapPost("/phone-numbers", (HttpContext c, ApiContext api, PhoneNumberInventory inv) => Routes.Operation(c) switch
        {
            "batch-delete" => BatchDeleteAsync(c, api, inv),
            "batch-update" => BatchUpdateAsync(c, api, inv),
            _ => throw Routes.UnknownOperation(c),
        });
        routes.MapGet("/phone-numbers/{phoneNumberId}", (HttpContext c, ApiContext api, PhoneNumberInventory inv) => GetAsync(c, api, inv));
        routes.MapPost("/phone-numbers/{phoneNumberId}", (HttpContext c, ApiContext api, PhoneNumberInventory inv) => Routes.Operation(c) switch
        {
            null => UpdateAsync(c, api, inv),
            "restore" => RestoreAsync(c, api, inv),
            _ => throw Routes.UnknownOperation(c),
        });
        routes.MapDelete("/phone-numbers/{phoneNumberId}", (HttpContext c, ApiContext api, PhoneNumberInventory inv) => DeleteAsync(c, api, inv));
        routes.MapGet("/settings/phone-number", (HttpContext c, ApiContext api) => GetSettingsAsync(c, api));
        routes.MapPut("/settings/phone-number", (HttpContext c, ApiContext api) => PutSettingsAsync(c, api));
    }

    private static PhoneNumberShape Shape(ApiContext api, PhoneNumber n) => new(
        n.Id,
        n.E164PhoneNumber,
        n.Country,
        n.Type,
        n.ProductType,
        n.Status,
        VoiceOnly,
        n.Associations.Select(a => new PhoneNumberAssociationShape(a.Value, a.Name, Timestamps.Format(a.AssociatedTimestamp))).ToList(),
        n.CallingName,
        n.CallingNameStatus,
        Timestamps.Format(n.CreatedTimestamp),
        Timestamps.Format(n.UpdatedTimestamp),
        Timestamps.Format(n.DeletionTimestamp),
        n.OrderId,
        n.Name,
        api.PhoneNumberArn(n.Id));

    private static IResult Ok(ApiContext api, PhoneNumber number) =>
        Results.Json(new PhoneNumberResponse(Shape(api, number)), WireJsonContext.Default.PhoneNumberResponse, Json);

    /// <summary>Ids are E.164 numbers; the model makes the <c>+</c> optional, so accept both spellings.</summary>
    private static string NormalizeId(string id) => Patterns.E164().IsMatch(id) && !id.StartsWith('+') ? "+" + id : id;

    private static async Task<IResult> ListAsync(HttpContext context, ApiContext api, PhoneNumberInventory inventory)
    {
        var request = context.Request;
        var status = QueryReader.String(request, "status");
        var productType = QueryReader.Enum(request, "product-type", PhoneNumberOrderEndpoints.ProductTypes);
        var filterName = QueryReader.Enum(request, "filter-name", ["VoiceConnectorId", "VoiceConnectorGroupId", "SipRuleId"]);
        var filterValue = QueryReader.String(request, "filter-value");
        if ((filterName is null) != (filterValue is null))
        {
            throw JsonBody.Bad("filter-name and filter-value must be given together.");
        }

        var (max, after) = Pagination.Read(request, 100, 100);
        await inventory.SettleAsync(context.RequestAborted).ConfigureAwait(false);
        var all = await api.Store.ListAllAsync<PhoneNumber>(context.RequestAborted).ConfigureAwait(false);
        var filtered = all.Where(n =>
            (status is null || n.Value.Status == status)
            && (productType is null || n.Value.ProductType == productType)
            && (filterName is null || n.Value.Associations.Any(a => a.Name == filterName && a.Value == filterValue)));
        var (items, next) = Pagination.Page(filtered, after, max);
        return Results.Json(
            new PhoneNumberListResponse(items.Select(n => Shape(api, n)).ToList(), next),
            WireJsonContext.Default.PhoneNumberListResponse,
            Json);
    }

    private static async Task<IResult> GetAsync(HttpContext context, ApiContext api, PhoneNumberInventory inventory)
    {
        var id = NormalizeId(Routes.Label(context, "phoneNumberId"));
        await inventory.SettleAsync(context.RequestAborted).ConfigureAwait(false);
        var number = await api.Store.GetAsync<PhoneNumber>(id, context.RequestAborted).ConfigureAwait(false)
            ?? throw new AwsErrorException(AwsError.NotFound($"Phone number {id} not found."));
        return Ok(api, number.Value);
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, ApiContext api, PhoneNumberInventory inventory)
    {
        var id = NormalizeId(Routes.Label(context, "phoneNumberId"));
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var change = ReadChange(body);
        await inventory.SettleAsync(context.RequestAborted).ConfigureAwait(false);
        var outcome = await ApplyChangeAsync(api, id, change, context.RequestAborted).ConfigureAwait(false);
        return outcome.Error is null ? Ok(api, outcome.Number!) : throw new AwsErrorException(outcome.Error);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, ApiContext api, PhoneNumberInventory inventory)
    {
        var id = NormalizeId(Routes.Label(context, "phoneNumberId"));
        await inventory.SettleAsync(context.RequestAborted).ConfigureAwait(false);
        var error = await QueueForDeletionAsync(api, id, context.RequestAborted).ConfigureAwait(false);
        return error is null ? Results.NoContent() : throw new AwsErrorException(error);
    }

    private static async Task<IResult> RestoreAsync(HttpContext context, ApiContext api, PhoneNumberInventory inventory)
    {
        var id = NormalizeId(Routes.Label(context, "phoneNumberId"));
        await inventory.SettleAsync(context.RequestAborted).ConfigureAwait(false);
        var now = api.Now;
        AwsError? error = null;
        var result = await api.Store.MutateAsync<PhoneNumber>(
            id,
            n =>
            {
                if (n.DeletionTimestamp is null)
                {
                    error = AwsError.BadRequest($"Phone number {id} is not in the deletion queue.");
                    return null;
                }

                error = null;
                return n with { Status = PhoneNumberLifecycle.Unassigned, DeletionTimestamp = null, UpdatedTimestamp = now };
            },
            context.RequestAborted).ConfigureAwait(false);
        if (result.Status == WriteStatus.NotFound)
        {
            throw new AwsErrorException(AwsError.NotFound($"Phone number {id} not found."));
        }

        return error is null ? Ok(api, result.Value!) : throw new AwsErrorException(error);
    }

    private static async Task<IResult> BatchDeleteAsync(HttpContext context, ApiContext api, PhoneNumberInventory inventory)
    {
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var ids = body.StringList("PhoneNumberIds", required: true, minItems: 1)!.Select(NormalizeId).ToList();
        if (ids.Distinct(StringComparer.Ordinal).Count() != ids.Count)
        {
            throw JsonBody.Bad("PhoneNumberIds must not repeat an id.");
        }

        await inventory.SettleAsync(context.RequestAborted).ConfigureAwait(false);
        var errors = new List<PhoneNumberErrorShape>();
        foreach (var id in ids)
        {
            var error = await QueueForDeletionAsync(api, id, context.RequestAborted).ConfigureAwait(false);
            if (error is not null)
            {
                errors.Add(new PhoneNumberErrorShape(id, error.Code, error.Message));
            }
        }

        return Results.Json(new PhoneNumberErrorsResponse(errors), WireJsonContext.Default.PhoneNumberErrorsResponse, Json);
    }

    private static async Task<IResult> BatchUpdateAsync(HttpContext context, ApiContext api, PhoneNumberInventory inventory)
    {
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var items = body.ObjectList("UpdatePhoneNumberRequestItems", required: true, minItems: 1)!;
        var changes = items.Select(item => (Id: NormalizeId(item.NonEmptyString("PhoneNumberId", required: true)!), Change: ReadChange(item))).ToList();
        if (changes.Select(c => c.Id).Distinct(StringComparer.Ordinal).Count() != changes.Count)
        {
            throw JsonBody.Bad("UpdatePhoneNumberRequestItems must not repeat a PhoneNumberId.");
        }

        await inventory.SettleAsync(context.RequestAborted).ConfigureAwait(false);
        var errors = new List<PhoneNumberErrorShape>();
        foreach (var (id, change) in changes)
        {
            var outcome = await ApplyChangeAsync(api, id, change, context.RequestAborted).ConfigureAwait(false);
            if (outcome.Error is not null)
            {
                errors.Add(new PhoneNumberErrorShape(id, outcome.Error.Code, outcome.Error.Message));
            }
        }

        return Results.Json(new PhoneNumberErrorsResponse(errors), WireJsonContext.Default.PhoneNumberErrorsResponse, Json);
    }

    private static async Task<IResult> GetSettingsAsync(HttpContext context, ApiContext api)
    {
        var name = await api.Store.GetSettingAsync(CallingNameSetting, context.RequestAborted).ConfigureAwait(false);
        var updated = await api.Store.GetSettingAsync(CallingNameUpdatedSetting, context.RequestAborted).ConfigureAwait(false);
        return Results.Json(new PhoneNumberSettingsResponse(name, updated), WireJsonContext.Default.PhoneNumberSettingsResponse, Json);
    }

    private static async Task<IResult> PutSettingsAsync(HttpContext context, ApiContext api)
    {
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var name = body.String("CallingName", required: true, pattern: Patterns.CallingName())!;
        await api.Store.PutSettingAsync(CallingNameSetting, name, context.RequestAborted).ConfigureAwait(false);
        await api.Store.PutSettingAsync(CallingNameUpdatedSetting, Timestamps.Format(api.Now), context.RequestAborted).ConfigureAwait(false);
        return Results.NoContent();
    }

    private sealed record Change(string? ProductType, string? CallingName, string? Name);

    private static Change ReadChange(JsonBody body) => new(
        body.Enum("ProductType", PhoneNumberOrderEndpoints.ProductTypes),
        body.String("CallingName", pattern: Patterns.CallingName()),
        body.String("Name", maxLength: 256, pattern: Patterns.PhoneNumberName()));

    private static async Task<(PhoneNumber? Number, AwsError? Error)> ApplyChangeAsync(ApiContext api, string id, Change change, CancellationToken cancellationToken)
    {
        var now = api.Now;
        AwsError? error = null;
        var result = await api.Store.MutateAsync<PhoneNumber>(
            id,
            n =>
            {
                error = null;
                if (n.DeletionTimestamp is not null)
                {
                    error = AwsError.BadRequest($"Phone number {id} is in the deletion queue; restore it first.");
                    return null;
                }

                if (change.ProductType is not null && change.ProductType != n.ProductType && n.Associations.Count > 0)
                {
                    error = AwsError.Conflict($"Phone number {id} is associated; disassociate it before changing its product type.", "PhoneNumberAssociationsExist");
                    return null;
                }

                return n with
                {
                    ProductType = change.ProductType ?? n.ProductType,
                    CallingName = change.CallingName ?? n.CallingName,
                    CallingNameStatus = change.CallingName is null ? n.CallingNameStatus : "UpdateSucceeded",
                    Name = change.Name ?? n.Name,
                    UpdatedTimestamp = now,
                };
            },
            cancellationToken).ConfigureAwait(false);
        if (result.Status == WriteStatus.NotFound)
        {
            return (null, AwsError.NotFound($"Phone number {id} not found."));
        }

        return error is null ? (result.Value, null) : (null, error);
    }

    /// <summary>AWS keeps a deleted number restorable for a retention period; it is released after.</summary>
    private static async Task<AwsError?> QueueForDeletionAsync(ApiContext api, string id, CancellationToken cancellationToken)
    {
        var now = api.Now;
        AwsError? error = null;
        var result = await api.Store.MutateAsync<PhoneNumber>(
            id,
            n =>
            {
                error = null;
                if (n.DeletionTimestamp is not null)
                {
                    error = AwsError.BadRequest($"Phone number {id} is already in the deletion queue.");
                    return null;
                }

                if (n.Associations.Count > 0)
                {
                    error = AwsError.BadRequest($"Phone number {id} is associated with {n.Associations[0].Name} {n.Associations[0].Value}; disassociate it first.");
                    return null;
                }

                return n with { Status = PhoneNumberLifecycle.DeleteInProgress, DeletionTimestamp = now, UpdatedTimestamp = now };
            },
            cancellationToken).ConfigureAwait(false);
        return result.Status == WriteStatus.NotFound ? AwsError.NotFound($"Phone number {id} not found.") : error;
    }
}
