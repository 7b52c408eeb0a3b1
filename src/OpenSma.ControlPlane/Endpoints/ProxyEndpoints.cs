using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenSma.ControlPlane.Http;
using OpenSma.ControlPlane.Proxy;
using OpenSma.ControlPlane.Wire;
using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Endpoints;

/// <summary>Number masking on a voice connector: the proxy settings (programmable numbers) and
/// proxy sessions, whose proxy numbers come from the numbers associated with the connector.</summary>
internal static class ProxyEndpoints
{
    private const string Json = "application/json";
    private const string Base = "/voice-connectors/{voiceConnectorId}";
    private static readonly string[] Capabilities = ["Voice", "SMS"];
    private static readonly string[] SelectionBehaviors = ["PreferSticky", "AvoidSticky"];
    private static readonly string[] GeoMatchLevels = ["Country", "AreaCode"];

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPut(Base + "/programmable-numbers/proxy", (HttpContext c, ApiContext api) => PutProxyAsync(c, api));
        routes.MapGet(Base + "/programmable-numbers/proxy", (HttpContext c, ApiContext api) => GetProxyAsync(c, api));
        routes.MapDelete(Base + "/programmable-numbers/proxy", (HttpContext c, ApiContext api) => DeleteProxyAsync(c, api));

        routes.MapPost(Base + "/proxy-sessions", (HttpContext c, ApiContext api, ProxySessionLedger ledger) => CreateSessionAsync(c, api, ledger));
        routes.MapGet(Base + "/proxy-sessions", (HttpContext c, ApiContext api, ProxySessionLedger ledger) => ListSessionsAsync(c, api, ledger));
        routes.MapGet(Base + "/proxy-sessions/{proxySessionId}", (HttpContext c, ApiContext api, ProxySessionLedger ledger) => GetSessionAsync(c, api, ledger));
        routes.MapPost(Base + "/proxy-sessions/{proxySessionId}", (HttpContext c, ApiContext api, ProxySessionLedger ledger) => UpdateSessionAsync(c, api, ledger));
        routes.MapDelete(Base + "/proxy-sessions/{proxySessionId}", (HttpContext c, ApiContext api) => DeleteSessionAsync(c, api));
    }

    private static ProxyShape Shape(VoiceConnectorProxy p) => new(p.DefaultSessionExpiryMinutes, p.Disabled, p.FallBackPhoneNumber, p.PhoneNumberCountries);

    public static ProxySessionShape Shape(ProxySession s) => new(
        s.VoiceConnectorId,
        s.Id,
        s.Name,
        s.Status,
        s.ExpiryMinutes,
        s.Capabilities,
        Timestamps.Format(s.CreatedTimestamp),
        Timestamps.Format(s.UpdatedTimestamp),
        Timestamps.Format(s.EndedTimestamp),
        s.Participants.Select(p => new ParticipantShape(p.PhoneNumber, p.ProxyPhoneNumber)).ToList(),
        s.NumberSelectionBehavior,
        s.GeoMatchLevel,
        s.GeoMatchParams is { } g ? new GeoMatchParamsShape(g.Country, g.AreaCode) : null);

    private static IResult Session(ProxySession s, int status = StatusCodes.Status200OK) =>
        Results.Json(new ProxySessionResponse(Shape(s)), WireJsonContext.Default.ProxySessionResponse, Json, status);

    private static async Task<IResult> PutProxyAsync(HttpContext context, ApiContext api)
    {
        var id = Routes.Label(context, "voiceConnectorId");
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var expiry = body.Int("DefaultSessionExpiryMinutes", required: true, min: 0)!.Value;
        var countries = body.StringList("PhoneNumberPoolCountries", required: true, minItems: 1, maxItems: 100, pattern: Patterns.CountryCode())!;
        var fallback = body.String("FallBackPhoneNumber", pattern: Patterns.E164());
        var disabled = body.Bool("Disabled") ?? false;
        var cancellationToken = context.RequestAborted;
        await VoiceConnectorEndpoints.RequireAsync(api, id, cancellationToken).ConfigureAwait(false);
        var proxy = new VoiceConnectorProxy(id, expiry, countries.Distinct(StringComparer.Ordinal).ToList(), E164(fallback), disabled, api.Now);

        // A document per connector: insert the first time, replace (at the version read) afterwards.
        while (true)
        {
            var existing = await api.Store.GetAsync<VoiceConnectorProxy>(id, cancellationToken).ConfigureAwait(false);
            var written = existing is null
                ? await api.Store.InsertAsync(proxy, cancellationToken).ConfigureAwait(false)
                : await api.Store.UpdateAsync(proxy, existing.Version, cancellationToken).ConfigureAwait(false);
            if (written.IsOk)
            {
                return Results.Json(new ProxyResponse(Shape(proxy)), WireJsonContext.Default.ProxyResponse, Json);
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private static async Task<IResult> GetProxyAsync(HttpContext context, ApiContext api)
    {
        var proxy = await RequireProxyAsync(context, api).ConfigureAwait(false);
        return Results.Json(new ProxyResponse(Shape(proxy)), WireJsonContext.Default.ProxyResponse, Json);
    }

    private static async Task<IResult> DeleteProxyAsync(HttpContext context, ApiContext api)
    {
        var proxy = await RequireProxyAsync(context, api).ConfigureAwait(false);
        await api.Store.DeleteAsync<VoiceConnectorProxy>(proxy.Id, null, context.RequestAborted).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<VoiceConnectorProxy> RequireProxyAsync(HttpContext context, ApiContext api)
    {
        var id = Routes.Label(context, "voiceConnectorId");
        await VoiceConnectorEndpoints.RequireAsync(api, id, context.RequestAborted).ConfigureAwait(false);
        var proxy = await api.Store.GetAsync<VoiceConnectorProxy>(id, context.RequestAborted).ConfigureAwait(false);
        return proxy?.Value ?? throw new AwsErrorException(AwsError.NotFound($"Voice connector {id} has no proxy configuration."));
    }

    private static async Task<IResult> CreateSessionAsync(HttpContext context, ApiContext api, ProxySessionLedger ledger)
    {
        var id = Routes.Label(context, "voiceConnectorId");
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var participants = body.StringList("ParticipantPhoneNumbers", required: true, minItems: 2, maxItems: 2, pattern: Patterns.E164())!
            .Select(p => E164(p)!).ToList();
        if (participants[0] == participants[1])
        {
            throw JsonBody.Bad("ParticipantPhoneNumbers must name two different numbers.");
        }

        var name = body.String("Name", pattern: Patterns.ProxySessionName());
        var expiryMinutes = body.Int("ExpiryMinutes", min: 1);
        var capabilities = ReadCapabilities(body);
        var behavior = body.Enum("NumberSelectionBehavior", SelectionBehaviors);
        var geoLevel = body.Enum("GeoMatchLevel", GeoMatchLevels);
        var geoBody = body.Object("GeoMatchParams");
        var geo = geoBody is null ? null : new ProxyGeoMatch(
            geoBody.String("Country", required: true, pattern: Patterns.CountryOrEmpty())!,
            geoBody.String("AreaCode", required: true, pattern: Patterns.AreaCode())!);
        if (geoLevel is not null && geo is null)
        {
            throw JsonBody.Bad("GeoMatchParams is required when GeoMatchLevel is set.");
        }

        var cancellationToken = context.RequestAborted;
        await VoiceConnectorEndpoints.RequireAsync(api, id, cancellationToken).ConfigureAwait(false);
        var proxy = (await api.Store.GetAsync<VoiceConnectorProxy>(id, cancellationToken).ConfigureAwait(false))?.Value
            ?? throw JsonBody.Bad($"Voice connector {id} has no proxy configuration; call PutVoiceConnectorProxy first.");
        if (proxy.Disabled)
        {
            throw JsonBody.Bad($"Proxy sessions are disabled on voice connector {id}.");
        }

        var candidates = await CandidatesAsync(api, id, proxy, geoLevel, geo, cancellationToken).ConfigureAwait(false);
        var session = await ledger.AllocateAsync(
            id,
            async () =>
            {
                var sessions = (await ledger.SettledAsync(id, cancellationToken).ConfigureAwait(false)).Select(s => s.Value).ToList();
                var selection = behavior ?? "PreferSticky";
                var chosen = participants.Select((p, i) =>
                    ProxyNumberSelector.Choose(p, participants[1 - i], candidates, sessions, selection)
                    ?? throw JsonBody.Bad($"No proxy phone number is free for participant {p} on voice connector {id}; associate more numbers with it.")).ToList();
                var now = api.Now;
                var minutes = expiryMinutes ?? (proxy.DefaultSessionExpiryMinutes > 0 ? proxy.DefaultSessionExpiryMinutes : null);
                var created = new ProxySession(
                    ApiContext.NewId(), id, name, ProxySessionStatus.Open, minutes, capabilities,
                    [new ProxyParticipant(participants[0], chosen[0]), new ProxyParticipant(participants[1], chosen[1])],
                    behavior, geoLevel, geo, now, now, null, minutes is { } m ? now.AddMinutes(m) : null);
                var inserted = await api.Store.InsertAsync(created, cancellationToken).ConfigureAwait(false);
                return inserted.IsOk ? created : throw new AwsErrorException(AwsError.ServiceFailure("Could not store the proxy session; retry."));
            },
            async created => await api.Store.DeleteAsync<ProxySession>(created.Id, null, CancellationToken.None).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        return Session(session, StatusCodes.Status201Created);
    }

    /// <summary>Numbers associated with the connector in the proxy's countries, geo matches first.</summary>
    private static async Task<List<string>> CandidatesAsync(
        ApiContext api, string voiceConnectorId, VoiceConnectorProxy proxy, string? geoLevel, ProxyGeoMatch? geo, CancellationToken cancellationToken)
    {
        var numbers = await api.Store.ListAllAsync<PhoneNumber>(cancellationToken).ConfigureAwait(false);
        var eligible = numbers
            .Select(n => n.Value)
            .Where(n => n.DeletionTimestamp is null
                && proxy.PhoneNumberCountries.Contains(n.Country)
                && n.Associations.Any(a => a.Name == "VoiceConnectorId" && a.Value == voiceConnectorId))
            .OrderBy(n => n.E164PhoneNumber, StringComparer.Ordinal)
            .ToList();
        if (geoLevel is null || geo is null)
        {
            return eligible.Select(n => n.E164PhoneNumber).ToList();
        }

        // GeoMatchLevel is a preference: matching numbers come first, the rest still serve.
        bool Matches(PhoneNumber n) => n.Country == geo.Country
            && (geoLevel == "Country" || (n.E164PhoneNumber.StartsWith("+1", StringComparison.Ordinal) && n.E164PhoneNumber.AsSpan(2).StartsWith(geo.AreaCode, StringComparison.Ordinal)));
        return eligible.OrderBy(n => Matches(n) ? 0 : 1).Select(n => n.E164PhoneNumber).ToList();
    }

    private static async Task<IResult> ListSessionsAsync(HttpContext context, ApiContext api, ProxySessionLedger ledger)
    {
        var id = Routes.Label(context, "voiceConnectorId");
        var status = QueryReader.Enum(context.Request, "status", ProxySessionStatus.All);
        var (maxResults, after) = Pagination.Read(context.Request, 100, 100);
        await VoiceConnectorEndpoints.RequireAsync(api, id, context.RequestAborted).ConfigureAwait(false);
        var sessions = await ledger.SettledAsync(id, context.RequestAborted).ConfigureAwait(false);
        var (items, next) = Pagination.Page(sessions.Where(s => status is null || s.Value.Status == status), after, maxResults);
        return Results.Json(new ProxySessionListResponse(items.Select(Shape).ToList(), next), WireJsonContext.Default.ProxySessionListResponse, Json);
    }

    private static async Task<IResult> GetSessionAsync(HttpContext context, ApiContext api, ProxySessionLedger ledger) =>
        Session(await RequireSessionAsync(context, api, ledger).ConfigureAwait(false));

    private static async Task<IResult> UpdateSessionAsync(HttpContext context, ApiContext api, ProxySessionLedger ledger)
    {
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var capabilities = ReadCapabilities(body);
        var expiryMinutes = body.Int("ExpiryMinutes", min: 1);
        var session = await RequireSessionAsync(context, api, ledger).ConfigureAwait(false);
        var now = api.Now;
        var closed = false;
        var result = await api.Store.MutateAsync<ProxySession>(
            session.Id,
            s =>
            {
                closed = s.Status == ProxySessionStatus.Closed || ProxySessionLedger.IsExpired(s, now);
                if (closed)
                {
                    return null;
                }

                // The expiry counts from the session's creation, as ExpiryMinutes does at creation.
                var minutes = expiryMinutes ?? s.ExpiryMinutes;
                return s with
                {
                    Capabilities = capabilities,
                    ExpiryMinutes = minutes,
                    ExpiresAt = minutes is { } m ? s.CreatedTimestamp.AddMinutes(m) : null,
                    UpdatedTimestamp = now,
                };
            },
            context.RequestAborted).ConfigureAwait(false);
        if (closed)
        {
            throw JsonBody.Bad($"Proxy session {session.Id} is closed.");
        }

        return result.IsOk
            ? Session(result.Value!, StatusCodes.Status201Created)
            : throw new AwsErrorException(AwsError.NotFound($"Proxy session {session.Id} not found."));
    }

    private static async Task<IResult> DeleteSessionAsync(HttpContext context, ApiContext api)
    {
        var id = Routes.Label(context, "voiceConnectorId");
        var sessionId = Routes.Label(context, "proxySessionId");
        await VoiceConnectorEndpoints.RequireAsync(api, id, context.RequestAborted).ConfigureAwait(false);
        var session = await api.Store.GetAsync<ProxySession>(sessionId, context.RequestAborted).ConfigureAwait(false);
        if (session is null || session.Value.VoiceConnectorId != id)
        {
            throw new AwsErrorException(AwsError.NotFound($"Proxy session {sessionId} not found on voice connector {id}."));
        }

        await api.Store.DeleteAsync<ProxySession>(sessionId, null, context.RequestAborted).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<ProxySession> RequireSessionAsync(HttpContext context, ApiContext api, ProxySessionLedger ledger)
    {
        var id = Routes.Label(context, "voiceConnectorId");
        var sessionId = Routes.Label(context, "proxySessionId");
        await VoiceConnectorEndpoints.RequireAsync(api, id, context.RequestAborted).ConfigureAwait(false);
        var sessions = await ledger.SettledAsync(id, context.RequestAborted).ConfigureAwait(false);
        return sessions.FirstOrDefault(s => s.Value.Id == sessionId)?.Value
            ?? throw new AwsErrorException(AwsError.NotFound($"Proxy session {sessionId} not found on voice connector {id}."));
    }

    private static List<string> ReadCapabilities(JsonBody body)
    {
        var capabilities = body.StringList("Capabilities", required: true)!;
        for (var i = 0; i < capabilities.Count; i++)
        {
            if (!Capabilities.Contains(capabilities[i]))
            {
                throw JsonBody.Bad($"Capabilities[{i}] must be one of: {string.Join(", ", Capabilities)}.");
            }
        }

        return capabilities.Distinct(StringComparer.Ordinal).ToList();
    }

    private static string? E164(string? number) => number is null || number.StartsWith('+') ? number : "+" + number;
}
