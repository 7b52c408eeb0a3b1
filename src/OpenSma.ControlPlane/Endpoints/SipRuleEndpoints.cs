using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenSma.ControlPlane.Http;
using OpenSma.ControlPlane.PhoneNumbers;
using OpenSma.ControlPlane.Wire;
using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Endpoints;

/// <summary>SIP rules: the triggers that route inbound calls to SMAs.</summary>
internal static class SipRuleEndpoints
{
    private const string Json = "application/json";
    private const string ToPhoneNumber = "ToPhoneNumber";
    private const string RequestUriHostname = "RequestUriHostname";

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/sip-rules", (HttpContext c, ApiContext api) => CreateAsync(c, api));
        routes.MapGet("/sip-rules", (HttpContext c, ApiContext api) => ListAsync(c, api));
        routes.MapGet("/sip-rules/{sipRuleId}", (HttpContext c, ApiContext api) => GetAsync(c, api));
        routes.MapPut("/sip-rules/{sipRuleId}", (HttpContext c, ApiContext api) => UpdateAsync(c, api));
        routes.MapDelete("/sip-rules/{sipRuleId}", (HttpContext c, ApiContext api) => DeleteAsync(c, api));
    }

    private static SipRuleShape Shape(SipRule rule) => new(
        rule.Id,
        rule.Name,
        rule.Disabled,
        rule.TriggerType,
        rule.TriggerValue,
        rule.TargetApplications.Select(t => new SipRuleTargetApplicationShape(t.SipMediaApplicationId, t.Priority, t.AwsRegion)).ToList(),
        Timestamps.Format(rule.CreatedTimestamp),
        Timestamps.Format(rule.UpdatedTimestamp));

    private static IResult Ok(SipRule rule, int status) =>
        Results.Json(new SipRuleResponse(Shape(rule)), WireJsonContext.Default.SipRuleResponse, Json, status);

    private static async Task<IResult> CreateAsync(HttpContext context, ApiContext api)
    {
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var name = body.String("Name", required: true, minLength: 1, maxLength: 256, pattern: Patterns.ResourceName())!;
        var triggerType = body.Enum("TriggerType", [ToPhoneNumber, RequestUriHostname], required: true)!;
        var triggerValue = body.NonEmptyString("TriggerValue", required: true)!;
        if (triggerType == ToPhoneNumber && !Patterns.E164().IsMatch(triggerValue))
        {
            throw JsonBody.Bad("TriggerValue must be an E.164 phone number when TriggerType is ToPhoneNumber.");
        }

        if (triggerType == RequestUriHostname && Uri.CheckHostName(triggerValue) == UriHostNameType.Unknown)
        {
            throw JsonBody.Bad("TriggerValue must be a host name when TriggerType is RequestUriHostname.");
        }

        var disabled = body.Bool("Disabled") ?? false;
        var cancellationToken = context.RequestAborted;
        var targets = await ReadTargetsAsync(body, api, required: true, cancellationToken).ConfigureAwait(false);

        if (triggerType == ToPhoneNumber)
        {
            triggerValue = triggerValue.StartsWith('+') ? triggerValue : "+" + triggerValue;
        }

        var now = api.Now;
        var rule = new SipRule(ApiContext.NewId(), name, disabled, triggerType, triggerValue, targets!, now, now);
        if (triggerType == ToPhoneNumber)
        {
            await CheckNumberUsableAsync(api, triggerValue, cancellationToken).ConfigureAwait(false);
        }

        var result = await api.Store.InsertAsync(rule, cancellationToken).ConfigureAwait(false);
        if (result.Status == WriteStatus.Conflict)
        {
            throw new AwsErrorException(AwsError.Conflict($"A SIP rule for {triggerType} {triggerValue} already exists."));
        }

        if (triggerType == ToPhoneNumber)
        {
            await SetNumberAssociationAsync(api, triggerValue, rule.Id, associate: true, cancellationToken).ConfigureAwait(false);
        }

        return Ok(rule, StatusCodes.Status201Created);
    }

    private static async Task<IResult> GetAsync(HttpContext context, ApiContext api)
    {
        var id = Routes.Label(context, "sipRuleId");
        var stored = await api.Store.GetAsync<SipRule>(id, context.RequestAborted).ConfigureAwait(false)
            ?? throw new AwsErrorException(AwsError.NotFound($"SIP rule {id} not found."));
        return Ok(stored.Value, StatusCodes.Status200OK);
    }

    private static async Task<IResult> ListAsync(HttpContext context, ApiContext api)
    {
        var smaId = QueryReader.String(context.Request, "sip-media-application");
        if (smaId is not null && !Patterns.IsNonEmpty(smaId))
        {
            throw JsonBody.Bad("Query parameter sip-media-application must not be empty.");
        }

        var (max, after) = Pagination.Read(context.Request, 100, 100);
        // Without a filter the page is cut in SQL; with one, rules are filtered by their targets.
        var filtered = smaId is null
            ? await api.Store.ListAsync<SipRule>(after, max + 1, context.RequestAborted).ConfigureAwait(false)
            : (await api.Store.ListAllAsync<SipRule>(context.RequestAborted).ConfigureAwait(false))
                .Where(r => r.Value.TargetApplications.Any(t => t.SipMediaApplicationId == smaId));
        var (items, next) = Pagination.Page(filtered, after, max);
        return Results.Json(new SipRuleListResponse(items.Select(Shape).ToList(), next), WireJsonContext.Default.SipRuleListResponse, Json);
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, ApiContext api)
    {
        var id = Routes.Label(context, "sipRuleId");
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var name = body.String("Name", required: true, minLength: 1, maxLength: 256, pattern: Patterns.ResourceName())!;
        var disabled = body.Bool("Disabled");
        var targets = await ReadTargetsAsync(body, api, required: false, context.RequestAborted).ConfigureAwait(false);
        var now = api.Now;
        var result = await api.Store.MutateAsync<SipRule>(
            id,
            rule => rule with
            {
                Name = name,
                Disabled = disabled ?? rule.Disabled,
                TargetApplications = targets ?? rule.TargetApplications,
                UpdatedTimestamp = now,
            },
            context.RequestAborted).ConfigureAwait(false);
        return result.Status switch
        {
            WriteStatus.Ok => Ok(result.Value!, StatusCodes.Status202Accepted),
            WriteStatus.NotFound => throw new AwsErrorException(AwsError.NotFound($"SIP rule {id} not found.")),
            _ => throw new AwsErrorException(AwsError.Conflict($"SIP rule {id} is being changed concurrently; retry.")),
        };
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, ApiContext api)
    {
        var id = Routes.Label(context, "sipRuleId");
        var cancellationToken = context.RequestAborted;
        var stored = await api.Store.GetAsync<SipRule>(id, cancellationToken).ConfigureAwait(false)
            ?? throw new AwsErrorException(AwsError.NotFound($"SIP rule {id} not found."));
        if (!stored.Value.Disabled)
        {
            throw new AwsErrorException(AwsError.Conflict($"SIP rule {id} is enabled; disable it (UpdateSipRule with Disabled=true) before deleting it."));
        }

        var result = await api.Store.DeleteAsync<SipRule>(id, stored.Version, cancellationToken).ConfigureAwait(false);
        switch (result.Status)
        {
            case WriteStatus.Ok:
                break;
            case WriteStatus.NotFound:
                throw new AwsErrorException(AwsError.NotFound($"SIP rule {id} not found."));
            default:
                throw new AwsErrorException(AwsError.Conflict($"SIP rule {id} changed while it was being deleted; retry."));
        }

        if (stored.Value.TriggerType == ToPhoneNumber)
        {
            await SetNumberAssociationAsync(api, stored.Value.TriggerValue, id, associate: false, cancellationToken).ConfigureAwait(false);
        }

        return Results.NoContent();
    }

    private static async Task<IReadOnlyList<SipRuleTarget>?> ReadTargetsAsync(JsonBody body, ApiContext api, bool required, CancellationToken cancellationToken)
    {
        var maxTargets = api.Options.Quotas.Enabled ? Math.Min(25, api.Options.Quotas.MaxTargetApplicationsPerSipRule) : 25;
        var items = body.ObjectList("TargetApplications", required, minItems: 1, maxItems: 25);
        if (items is null)
        {
            return null;
        }

        if (items.Count > maxTargets)
        {
            throw new AwsErrorException(AwsError.ResourceLimitExceeded($"A SIP rule can have at most {maxTargets} target applications."));
        }

        var targets = new List<SipRuleTarget>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var smaId = items[i].NonEmptyString("SipMediaApplicationId", required: true)!;
            var priority = items[i].Int("Priority", required: true, min: 1)!.Value;
            var region = items[i].String("AwsRegion", required: true, minLength: 1, pattern: Patterns.AwsRegion())!;
            var sma = await api.Store.GetAsync<SipMediaApplication>(smaId, cancellationToken).ConfigureAwait(false);
            if (sma is null)
            {
                throw JsonBody.Bad($"TargetApplications[{i}].SipMediaApplicationId: SIP media application {smaId} does not exist.");
            }

            if (sma.Value.AwsRegion != region)
            {
                throw JsonBody.Bad($"TargetApplications[{i}].AwsRegion: SIP media application {smaId} is in {sma.Value.AwsRegion}, not {region}.");
            }

            targets.Add(new SipRuleTarget(smaId, priority, region));
        }

        if (targets.Select(t => t.Priority).Distinct().Count() != targets.Count)
        {
            throw JsonBody.Bad("TargetApplications must not repeat a Priority.");
        }

        if (targets.Select(t => t.AwsRegion).Distinct(StringComparer.Ordinal).Count() != targets.Count)
        {
            throw JsonBody.Bad("TargetApplications may name only one SIP media application per AwsRegion.");
        }

        return targets.OrderBy(t => t.Priority).ToList();
    }

    /// <summary>A number in the inventory can be a trigger only with the SMA dial-in product type.
    /// Numbers that are not in the inventory are accepted so local setups need no order first.</summary>
    private static async Task CheckNumberUsableAsync(ApiContext api, string e164, CancellationToken cancellationToken)
    {
        var number = await api.Store.GetAsync<PhoneNumber>(e164, cancellationToken).ConfigureAwait(false);
        if (number is null)
        {
            return;
        }

        if (number.Value.ProductType != "SipMediaApplicationDialIn")
        {
            throw JsonBody.Bad($"TriggerValue {e164} has product type {number.Value.ProductType}; a SIP rule needs SipMediaApplicationDialIn.");
        }

        if (number.Value.DeletionTimestamp is not null)
        {
            throw JsonBody.Bad($"TriggerValue {e164} is in the deletion queue.");
        }
    }

    private static async Task SetNumberAssociationAsync(ApiContext api, string e164, string ruleId, bool associate, CancellationToken cancellationToken)
    {
        var now = api.Now;
        await api.Store.MutateAsync<PhoneNumber>(
            e164,
            number =>
            {
                var others = number.Associations.Where(a => !(a.Name == "SipRuleId" && a.Value == ruleId)).ToList();
                if (associate)
                {
                    others.Add(new PhoneNumberAssociation("SipRuleId", ruleId, now));
                }

                return number with
                {
                    Associations = others,
                    Status = PhoneNumberLifecycle.StatusFor(number.Status, others),
                    UpdatedTimestamp = now,
                };
            },
            cancellationToken).ConfigureAwait(false);
    }
}
