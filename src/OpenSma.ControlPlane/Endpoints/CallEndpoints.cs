using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenSma.ControlPlane.Http;
using OpenSma.ControlPlane.Wire;
using OpenSma.Engine.Control;

namespace OpenSma.ControlPlane.Endpoints;

/// <summary>
/// CreateSipMediaApplicationCall and UpdateSipMediaApplicationCall, handed to the engine through
/// <see cref="ICallControl"/>. The legacy <c>chime</c> client sends these on the same paths.
/// </summary>
internal static class CallEndpoints
{
    private const int MaxEntries = 20;

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/sip-media-applications/{sipMediaApplicationId}/calls", (HttpContext c, ApiContext api, CallRateLimiter limiter) => CreateAsync(c, api, limiter));
        routes.MapPost("/sip-media-applications/{sipMediaApplicationId}/calls/{transactionId}", (HttpContext c, ApiContext api, CallRateLimiter limiter) => UpdateAsync(c, api, limiter));
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ApiContext api, CallRateLimiter limiter)
    {
        var smaId = Routes.Label(context, "sipMediaApplicationId");
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var from = body.String("FromPhoneNumber", required: true, pattern: Patterns.E164())!;
        var to = body.String("ToPhoneNumber", required: true, pattern: Patterns.E164())!;
        var headers = body.StringMap("SipHeaders", maxEntries: MaxEntries);
        var arguments = body.StringMap("ArgumentsMap", maxEntries: MaxEntries);
        foreach (var name in headers?.Keys ?? Enumerable.Empty<string>())
        {
            if (!IsAllowedHeader(name))
            {
                throw JsonBody.Bad($"SipHeaders.{name}: only X- headers, User-to-User and Diversion may be set.");
            }
        }

        var sma = await SipMediaApplicationEndpoints.RequireAsync(api, smaId, context.RequestAborted).ConfigureAwait(false);
        if (api.Options.Quotas.Enabled
            && !await limiter.TryAcquireAsync("CreateSipMediaApplicationCall", sma, api.Options.Quotas.CreateCallsPerSecond, context.RequestAborted).ConfigureAwait(false))
        {
            throw new AwsErrorException(AwsError.Throttled("CreateSipMediaApplicationCall rate exceeded."));
        }

        var request = new OutboundCallRequest(
            new SipMediaApplicationRef(sma.Id, sma.AwsAccountId, sma.AwsRegion, sma.Endpoint),
            Normalize(from),
            Normalize(to),
            headers,
            arguments);
        var result = await api.CallControl.CreateCallAsync(request, context.RequestAborted).ConfigureAwait(false);
        return Respond(result, StatusCodes.Status201Created, $"SIP media application {smaId}");
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, ApiContext api, CallRateLimiter limiter)
    {
        var smaId = Routes.Label(context, "sipMediaApplicationId");
        var transactionId = Routes.Label(context, "transactionId");
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var arguments = body.StringMap("Arguments", required: true, maxEntries: MaxEntries)!;
        var sma = await SipMediaApplicationEndpoints.RequireAsync(api, smaId, context.RequestAborted).ConfigureAwait(false);
        if (api.Options.Quotas.Enabled
            && !await limiter.TryAcquireAsync("UpdateSipMediaApplicationCall", sma, api.Options.Quotas.UpdateCallsPerSecond, context.RequestAborted).ConfigureAwait(false))
        {
            throw new AwsErrorException(AwsError.Throttled("UpdateSipMediaApplicationCall rate exceeded."));
        }

        var result = await api.CallControl.UpdateCallAsync(smaId, transactionId, arguments, context.RequestAborted).ConfigureAwait(false);
        return Respond(result, StatusCodes.Status202Accepted, $"Transaction {transactionId}");
    }

    private static IResult Respond(CallControlResult result, int status, string subject) => result.Status switch
    {
        CallControlStatus.Accepted when result.TransactionId is not null => Results.Json(
            new SipMediaApplicationCallResponse(new SipMediaApplicationCallShape(result.TransactionId)),
            WireJsonContext.Default.SipMediaApplicationCallResponse,
            "application/json",
            status),
        CallControlStatus.Accepted => throw new InvalidOperationException("The engine accepted a call without a transaction id."),
        CallControlStatus.NotFound => throw new AwsErrorException(AwsError.NotFound(result.Message ?? $"{subject} not found.")),
        CallControlStatus.BadRequest => throw new AwsErrorException(AwsError.BadRequest(result.Message ?? "The request is invalid.")),
        CallControlStatus.Throttled => throw new AwsErrorException(AwsError.Throttled(result.Message ?? "Too many requests.")),
        CallControlStatus.ResourceLimitExceeded => throw new AwsErrorException(AwsError.ResourceLimitExceeded(result.Message ?? "A call quota is reached.")),
        _ => throw new InvalidOperationException($"Unknown call-control status {result.Status}."),
    };

    private static bool IsAllowedHeader(string name) =>
        name.StartsWith("X-", StringComparison.OrdinalIgnoreCase)
        || name.Equals("User-to-User", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Diversion", StringComparison.OrdinalIgnoreCase);

    /// <summary>The model's pattern makes the <c>+</c> optional; the engine always gets E.164 with it.</summary>
    private static string Normalize(string e164) => e164.StartsWith('+') ? e164 : "+" + e164;
}
