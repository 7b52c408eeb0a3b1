using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenSma.ControlPlane.Http;
using OpenSma.ControlPlane.PhoneNumbers;
using OpenSma.ControlPlane.Wire;
using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Endpoints;

/// <summary>SearchAvailablePhoneNumbers and phone-number orders against the configured pools.</summary>
internal static class PhoneNumberOrderEndpoints
{
    private const string Json = "application/json";
    private const string SearchTokenPrefix = "search:";
    internal static readonly string[] ProductTypes = ["VoiceConnector", "SipMediaApplicationDialIn"];

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/search", (HttpContext c, ApiContext api, PhoneNumberInventory inventory) =>
            c.Request.Query["type"] == "phone-numbers" ? SearchAsync(c, api, inventory) : throw Routes.UnknownOperation(c));
        routes.MapPost("/phone-number-orders", (HttpContext c, ApiContext api, PhoneNumberInventory inventory) => CreateAsync(c, api, inventory));
        routes.MapGet("/phone-number-orders", (HttpContext c, ApiContext api, PhoneNumberInventory inventory) => ListAsync(c, api, inventory));
        routes.MapGet("/phone-number-orders/{phoneNumberOrderId}", (HttpContext c, ApiContext api, PhoneNumberInventory inventory) => GetAsync(c, api, inventory));
        routes.MapGet("/phone-number-countries", (HttpContext c, PhoneNumberInventory inventory) => Countries(c, inventory));
    }

    private static PhoneNumberOrderShape Shape(PhoneNumberOrder order) => new(
        order.Id,
        order.ProductType,
        order.Status,
        order.OrderType,
        order.OrderedPhoneNumbers.Select(n => new OrderedPhoneNumberShape(n.E164PhoneNumber, n.Status)).ToList(),
        Timestamps.Format(order.CreatedTimestamp),
        Timestamps.Format(order.UpdatedTimestamp));

    private static async Task<IResult> SearchAsync(HttpContext context, ApiContext api, PhoneNumberInventory inventory)
    {
        var request = context.Request;
        var criteria = new PhoneNumberPools.Criteria(
            QueryReader.String(request, "country", pattern: Patterns.CountryCode()),
            QueryReader.Enum(request, "phone-number-type", ["Local", "TollFree"]),
            QueryReader.String(request, "area-code"),
            QueryReader.String(request, "toll-free-prefix", pattern: Patterns.TollFreePrefix()),
            QueryReader.String(request, "city"),
            QueryReader.String(request, "state"));
        if (criteria.AreaCode is not null && criteria.TollFreePrefix is not null)
        {
            throw JsonBody.Bad("Specify either area-code or toll-free-prefix, not both.");
        }

        var maxResults = QueryReader.Int(request, "max-results", 1, 500) ?? 100;
        var offset = ReadSearchToken(QueryReader.String(request, "next-token"));
        await inventory.SettleAsync(context.RequestAborted).ConfigureAwait(false);
        var owned = (await api.Store.ListAllAsync<PhoneNumber>(context.RequestAborted).ConfigureAwait(false))
            .Select(n => n.Value.Id)
            .ToHashSet(StringComparer.Ordinal);
        var page = inventory.Pools.Search(criteria).Where(n => !owned.Contains(n)).Skip(offset).Take(maxResults + 1).ToList();
        string? next = null;
        if (page.Count > maxResults)
        {
            page.RemoveAt(page.Count - 1);
            next = SearchTokenPrefix + (offset + maxResults).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return Results.Json(new SearchAvailablePhoneNumbersResponse(page, next), WireJsonContext.Default.SearchAvailablePhoneNumbersResponse, Json);
    }

    private static int ReadSearchToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return 0;
        }

        if (token.StartsWith(SearchTokenPrefix, StringComparison.Ordinal)
            && int.TryParse(token.AsSpan(SearchTokenPrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var offset))
        {
            return offset;
        }

        throw JsonBody.Bad("NextToken is not a token this service issued.");
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ApiContext api, PhoneNumberInventory inventory)
    {
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var productType = body.Enum("ProductType", ProductTypes, required: true)!;
        var requested = body.StringList("E164PhoneNumbers", required: true, minItems: 1, pattern: Patterns.E164())!
            .Select(n => n.StartsWith('+') ? n : "+" + n)
            .ToList();
        var name = body.String("Name", maxLength: 256, pattern: Patterns.PhoneNumberName());
        if (requested.Distinct(StringComparer.Ordinal).Count() != requested.Count)
        {
            throw JsonBody.Bad("E164PhoneNumbers must not repeat a number.");
        }

        var cancellationToken = context.RequestAborted;
        await inventory.SettleAsync(cancellationToken).ConfigureAwait(false);
        var now = api.Now;
        var delay = api.Options.PhoneNumbers.OrderCompletionDelay;
        var immediate = delay <= TimeSpan.Zero;
        var orderId = ApiContext.NewId();
        var numbers = new List<PhoneNumber>(requested.Count);
        foreach (var e164 in requested)
        {
            if (inventory.Pools.PoolOf(e164) is { } pool)
            {
                numbers.Add(new PhoneNumber(
                    e164, e164, pool.Country, pool.Type, productType,
                    immediate ? PhoneNumberLifecycle.Unassigned : PhoneNumberLifecycle.AcquireInProgress,
                    [], null, null, name, orderId, now, now, null));
            }
        }

        var results = await InsertNumbersAsync(api, numbers, cancellationToken).ConfigureAwait(false);
        var inserted = numbers.Zip(results).Where(p => p.Second.IsOk).Select(p => p.First.Id).ToHashSet(StringComparer.Ordinal);
        var ordered = requested
            .Select(e164 => new OrderedPhoneNumber(e164, !inserted.Contains(e164) ? "Failed" : immediate ? "Acquired" : "Processing"))
            .ToList();

        var order = new PhoneNumberOrder(orderId, productType, PhoneNumberInventory.OrderStatus(ordered), "New", ordered, name, now, now, now + delay);
        await api.Store.InsertAsync(order, cancellationToken).ConfigureAwait(false);
        return Results.Json(new PhoneNumberOrderResponse(Shape(order)), WireJsonContext.Default.PhoneNumberOrderResponse, Json, StatusCodes.Status201Created);
    }

    /// <summary>
    /// Inserts the numbers of an order, each unless already owned. With quotas on, the account's
    /// count of stored numbers (those in the deletion queue included, which RestorePhoneNumber can
    /// bring back) and the inserts are one step in the store: over the quota nothing is inserted.
    /// </summary>
    private static async Task<IReadOnlyList<WriteResult>> InsertNumbersAsync(ApiContext api, List<PhoneNumber> numbers, CancellationToken cancellationToken)
    {
        var quota = api.Options.Quotas;
        if (!quota.Enabled)
        {
            var results = new List<WriteResult>(numbers.Count);
            foreach (var number in numbers)
            {
                results.Add(await api.Store.InsertAsync(number, cancellationToken).ConfigureAwait(false));
            }

            return results;
        }

        var written = await api.Store.InsertWithinQuotaAsync(numbers, quota.MaxPhoneNumbers, static _ => true, cancellationToken).ConfigureAwait(false);
        return written.Any(r => r.Status == WriteStatus.QuotaExceeded)
            ? throw new AwsErrorException(AwsError.ResourceLimitExceeded($"The quota of {quota.MaxPhoneNumbers} provisioned phone numbers would be exceeded."))
            : written;
    }

    private static async Task<IResult> GetAsync(HttpContext context, ApiContext api, PhoneNumberInventory inventory)
    {
        var id = Routes.Label(context, "phoneNumberOrderId");
        JsonBody.CheckString("PhoneNumberOrderId", id, 0, int.MaxValue, Patterns.Guid());
        await inventory.SettleAsync(context.RequestAborted).ConfigureAwait(false);
        var order = await api.Store.GetAsync<PhoneNumberOrder>(id, context.RequestAborted).ConfigureAwait(false)
            ?? throw new AwsErrorException(AwsError.NotFound($"Phone number order {id} not found."));
        return Results.Json(new PhoneNumberOrderResponse(Shape(order.Value)), WireJsonContext.Default.PhoneNumberOrderResponse, Json);
    }

    private static async Task<IResult> ListAsync(HttpContext context, ApiContext api, PhoneNumberInventory inventory)
    {
        await inventory.SettleAsync(context.RequestAborted).ConfigureAwait(false);
        var (items, next) = await Pagination.ListPageAsync<PhoneNumberOrder>(context.Request, api.Store, 100, 100, context.RequestAborted).ConfigureAwait(false);
        return Results.Json(new PhoneNumberOrderListResponse(items.Select(Shape).ToList(), next), WireJsonContext.Default.PhoneNumberOrderListResponse, Json);
    }

    private static IResult Countries(HttpContext context, PhoneNumberInventory inventory)
    {
        QueryReader.Enum(context.Request, "product-type", ProductTypes, required: true);
        var countries = inventory.Pools.Pools
            .GroupBy(p => p.Country, StringComparer.Ordinal)
            .Select(g => new PhoneNumberCountryShape(g.Key, g.Select(p => p.Type).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList()))
            .ToList();
        return Results.Json(new PhoneNumberCountriesResponse(countries), WireJsonContext.Default.PhoneNumberCountriesResponse, Json);
    }
}
