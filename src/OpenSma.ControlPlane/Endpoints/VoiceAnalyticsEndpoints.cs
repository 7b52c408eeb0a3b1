using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenSma.ControlPlane.Http;
using OpenSma.ControlPlane.Wire;
using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Endpoints;

/// <summary>
/// Voice analytics. Voice profile domains are plain containers and are kept for real. Speaker
/// search and voice tone analysis run on Amazon's media insights pipelines, which a self-hosted
/// server does not have, so a connector can never have voice analytics enabled here: starting a
/// task gets the error AWS gives for a connector without voice analytics, and since no task can
/// exist, no voice profile (which is made from a task) can exist either.
/// </summary>
internal static class VoiceAnalyticsEndpoints
{
    private const string Json = "application/json";
    private const string VoiceConnectorBase = "/voice-connectors/{VoiceConnectorId}";
    private static readonly string[] CallLegs = ["Caller", "Callee"];
    private static readonly string[] LanguageCodes = ["en-US"];

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/voice-profile-domains", (HttpContext c, ApiContext api) => CreateDomainAsync(c, api));
        routes.MapGet("/voice-profile-domains", (HttpContext c, ApiContext api) => ListDomainsAsync(c, api));
        routes.MapGet("/voice-profile-domains/{VoiceProfileDomainId}", async (HttpContext c, ApiContext api) =>
            Domain(api, await RequireDomainAsync(api, Routes.Label(c, "VoiceProfileDomainId"), c.RequestAborted).ConfigureAwait(false)));
        routes.MapPut("/voice-profile-domains/{VoiceProfileDomainId}", (HttpContext c, ApiContext api) => UpdateDomainAsync(c, api));
        routes.MapDelete("/voice-profile-domains/{VoiceProfileDomainId}", (HttpContext c, ApiContext api) => DeleteDomainAsync(c, api));

        routes.MapPost("/voice-profiles", async (HttpContext c) =>
        {
            var body = await JsonBody.ReadAsync(c).ConfigureAwait(false);
            var taskId = ReadId(body, "SpeakerSearchTaskId", 256);
            return (IResult)new AwsErrorResult(AwsError.NotFound($"Speaker search task {taskId} not found."));
        });
        routes.MapGet("/voice-profiles", (HttpContext c, ApiContext api) => ListProfilesAsync(c, api));
        routes.MapGet("/voice-profiles/{VoiceProfileId}", (HttpContext c) => ProfileNotFound(c));
        routes.MapPut("/voice-profiles/{VoiceProfileId}", async (HttpContext c) =>
        {
            var body = await JsonBody.ReadAsync(c).ConfigureAwait(false);
            ReadId(body, "SpeakerSearchTaskId", 256);
            return ProfileNotFound(c);
        });
        routes.MapDelete("/voice-profiles/{VoiceProfileId}", (HttpContext c) => ProfileNotFound(c));

        routes.MapPost(VoiceConnectorBase + "/speaker-search-tasks", (HttpContext c, ApiContext api) => StartSpeakerSearchAsync(c, api));
        routes.MapGet(VoiceConnectorBase + "/speaker-search-tasks/{SpeakerSearchTaskId}", (HttpContext c, ApiContext api) =>
            TaskNotFoundAsync(c, api, "SpeakerSearchTaskId", "Speaker search task"));
        routes.MapPost(VoiceConnectorBase + "/speaker-search-tasks/{SpeakerSearchTaskId}", (HttpContext c, ApiContext api) => Routes.Operation(c) == "stop"
            ? TaskNotFoundAsync(c, api, "SpeakerSearchTaskId", "Speaker search task")
            : throw Routes.UnknownOperation(c));

        routes.MapPost(VoiceConnectorBase + "/voice-tone-analysis-tasks", (HttpContext c, ApiContext api) => StartVoiceToneAnalysisAsync(c, api));
        routes.MapGet(VoiceConnectorBase + "/voice-tone-analysis-tasks/{VoiceToneAnalysisTaskId}", (HttpContext c, ApiContext api) =>
        {
            var isCaller = QueryReader.String(c.Request, "isCaller", required: true)!;
            if (isCaller is not ("true" or "false"))
            {
                throw JsonBody.Bad("Query parameter isCaller must be true or false.");
            }

            return TaskNotFoundAsync(c, api, "VoiceToneAnalysisTaskId", "Voice tone analysis task");
        });
        routes.MapPost(VoiceConnectorBase + "/voice-tone-analysis-tasks/{VoiceToneAnalysisTaskId}", (HttpContext c, ApiContext api) => Routes.Operation(c) == "stop"
            ? TaskNotFoundAsync(c, api, "VoiceToneAnalysisTaskId", "Voice tone analysis task")
            : throw Routes.UnknownOperation(c));
    }

    public static string DomainArn(VoiceProfileDomain d) => $"arn:aws:chime:{d.AwsRegion}:{d.AwsAccountId}:voice-profile-domain/{d.Id}";

    private static IResult Domain(ApiContext api, VoiceProfileDomain d, int status = StatusCodes.Status200OK) => Results.Json(
        new VoiceProfileDomainResponse(new VoiceProfileDomainShape(
            d.Id, DomainArn(d), d.Name, d.Description, new ServerSideEncryptionConfigurationShape(d.KmsKeyArn),
            Timestamps.Format(d.CreatedTimestamp), Timestamps.Format(d.UpdatedTimestamp))),
        WireJsonContext.Default.VoiceProfileDomainResponse,
        Json,
        status);

    private static VoiceProfileDomainSummaryShape Summary(VoiceProfileDomain d) =>
        new(d.Id, DomainArn(d), d.Name, d.Description, Timestamps.Format(d.CreatedTimestamp), Timestamps.Format(d.UpdatedTimestamp));

    public static async Task<VoiceProfileDomain> RequireDomainAsync(ApiContext api, string id, CancellationToken cancellationToken) =>
        (await api.Store.GetAsync<VoiceProfileDomain>(id, cancellationToken).ConfigureAwait(false))?.Value
        ?? throw new AwsErrorException(AwsError.NotFound($"Voice profile domain {id} not found."));

    private static async Task<IResult> CreateDomainAsync(HttpContext context, ApiContext api)
    {
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var name = body.String("Name", required: true, minLength: 1, maxLength: 256, pattern: Patterns.ResourceName())!;
        var description = body.String("Description", maxLength: 1024);
        var encryption = body.Object("ServerSideEncryptionConfiguration", required: true)!;
        var kmsKeyArn = encryption.String("KmsKeyArn", required: true, minLength: 1, maxLength: 1024, pattern: Patterns.Arn())!;
        var token = body.String("ClientRequestToken", maxLength: 64, pattern: Patterns.ClientRequestId());
        var tags = TagEndpoints.ReadTags(body, "Tags", required: false);
        var cancellationToken = context.RequestAborted;
        var now = api.Now;
        var domain = new VoiceProfileDomain(
            ApiContext.NewId(), api.Options.AwsAccountId, api.Options.AwsRegion, name, description, kmsKeyArn, string.IsNullOrEmpty(token) ? null : token, now, now);
        var inserted = await api.Store.InsertAsync(domain, cancellationToken).ConfigureAwait(false);
        if (!inserted.IsOk)
        {
            // Same ClientRequestToken: a retry of a creation that already happened gets that domain.
            var earlier = await api.Store.FindByKeyAsync<VoiceProfileDomain>(domain.UniqueKey!, cancellationToken).ConfigureAwait(false);
            if (earlier is null || earlier.Value.Name != name || earlier.Value.KmsKeyArn != kmsKeyArn)
            {
                throw new AwsErrorException(AwsError.Conflict($"ClientRequestToken {token} was already used for a different voice profile domain."));
            }

            return Domain(api, earlier.Value, StatusCodes.Status201Created);
        }

        if (tags is { Count: > 0 })
        {
            await api.Store.PutTagsAsync(DomainArn(domain), tags, cancellationToken).ConfigureAwait(false);
        }

        return Domain(api, domain, StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListDomainsAsync(HttpContext context, ApiContext api)
    {
        var (items, next) = await Pagination.ListPageAsync<VoiceProfileDomain>(context.Request, api.Store, 100, 100, context.RequestAborted).ConfigureAwait(false);
        return Results.Json(new VoiceProfileDomainListResponse(items.Select(Summary).ToList(), next), WireJsonContext.Default.VoiceProfileDomainListResponse, Json);
    }

    private static async Task<IResult> UpdateDomainAsync(HttpContext context, ApiContext api)
    {
        var id = Routes.Label(context, "VoiceProfileDomainId");
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var name = body.String("Name", minLength: 1, maxLength: 256, pattern: Patterns.ResourceName());
        var description = body.String("Description", maxLength: 1024);
        var now = api.Now;
        var result = await api.Store.MutateAsync<VoiceProfileDomain>(
            id, d => d with { Name = name ?? d.Name, Description = description ?? d.Description, UpdatedTimestamp = now }, context.RequestAborted).ConfigureAwait(false);
        return result.IsOk ? Domain(api, result.Value!) : throw new AwsErrorException(AwsError.NotFound($"Voice profile domain {id} not found."));
    }

    private static async Task<IResult> DeleteDomainAsync(HttpContext context, ApiContext api)
    {
        var id = Routes.Label(context, "VoiceProfileDomainId");
        var domain = await RequireDomainAsync(api, id, context.RequestAborted).ConfigureAwait(false);
        await api.Store.DeleteAsync<VoiceProfileDomain>(id, null, context.RequestAborted).ConfigureAwait(false);
        var arn = DomainArn(domain);
        var tags = await api.Store.GetTagsAsync(arn, context.RequestAborted).ConfigureAwait(false);
        if (tags.Count > 0)
        {
            await api.Store.RemoveTagsAsync(arn, tags.Select(t => t.Key).ToList(), context.RequestAborted).ConfigureAwait(false);
        }

        return Results.NoContent();
    }

    private static async Task<IResult> ListProfilesAsync(HttpContext context, ApiContext api)
    {
        var domainId = QueryReader.String(context.Request, "voice-profile-domain-id", required: true)!;
        JsonBody.CheckString("voice-profile-domain-id", domainId, 1, 256, null);
        Pagination.Read(context.Request, 100, 100);
        await RequireDomainAsync(api, domainId, context.RequestAborted).ConfigureAwait(false);
        return Results.Json(new VoiceProfileListResponse([], null), WireJsonContext.Default.VoiceProfileListResponse, Json);
    }

    private static IResult ProfileNotFound(HttpContext context) =>
        new AwsErrorResult(AwsError.NotFound($"Voice profile {Routes.Label(context, "VoiceProfileId")} not found."));

    private static async Task<IResult> StartSpeakerSearchAsync(HttpContext context, ApiContext api)
    {
        var id = Routes.Label(context, "VoiceConnectorId");
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        ReadId(body, "TransactionId", 256);
        var domainId = ReadId(body, "VoiceProfileDomainId", 256);
        body.String("ClientRequestToken", maxLength: 64, pattern: Patterns.ClientRequestId());
        body.Enum("CallLeg", CallLegs);
        await VoiceConnectorEndpoints.RequireAsync(api, id, context.RequestAborted).ConfigureAwait(false);
        await RequireDomainAsync(api, domainId, context.RequestAborted).ConfigureAwait(false);
        throw AnalyticsNotEnabled(id);
    }

    private static async Task<IResult> StartVoiceToneAnalysisAsync(HttpContext context, ApiContext api)
    {
        var id = Routes.Label(context, "VoiceConnectorId");
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        ReadId(body, "TransactionId", 256);
        body.Enum("LanguageCode", LanguageCodes, required: true);
        body.String("ClientRequestToken", maxLength: 64, pattern: Patterns.ClientRequestId());
        await VoiceConnectorEndpoints.RequireAsync(api, id, context.RequestAborted).ConfigureAwait(false);
        throw AnalyticsNotEnabled(id);
    }

    private static AwsErrorException AnalyticsNotEnabled(string voiceConnectorId) => JsonBody.Bad(
        $"Voice analytics is not enabled for voice connector {voiceConnectorId}. It needs an Amazon Chime SDK media insights pipeline with voice analytics, which OpenSMA does not provide.");

    private static async Task<IResult> TaskNotFoundAsync(HttpContext context, ApiContext api, string label, string what)
    {
        var id = Routes.Label(context, "VoiceConnectorId");
        var taskId = Routes.Label(context, label);
        await VoiceConnectorEndpoints.RequireAsync(api, id, context.RequestAborted).ConfigureAwait(false);
        return new AwsErrorResult(AwsError.NotFound($"{what} {taskId} not found on voice connector {id}."));
    }

    private static string ReadId(JsonBody body, string name, int maxLength)
    {
        var value = body.String(name, required: true, minLength: 1, maxLength: maxLength)!;
        return Patterns.IsNonEmpty(value) ? value : throw JsonBody.Bad($"{name} must not be blank.");
    }
}
