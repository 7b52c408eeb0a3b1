using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenSma.ControlPlane.Http;
using OpenSma.ControlPlane.Wire;
using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Endpoints;

/// <summary>TagResource, UntagResource and ListTagsForResource on SMA, voice connector, group and voice profile domain ARNs.</summary>
internal static class TagEndpoints
{
    private const int MaxTagsPerResource = 50;

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/tags", (HttpContext c, ApiContext api) => Routes.Operation(c) switch
        {
            "tag-resource" => TagAsync(c, api),
            "untag-resource" => UntagAsync(c, api),
            _ => throw Routes.UnknownOperation(c),
        });
        routes.MapGet("/tags", (HttpContext c, ApiContext api) => ListAsync(c, api));
    }

    public static IReadOnlyList<ResourceTag>? ReadTags(JsonBody body, string name, bool required)
    {
        var items = body.ObjectList(name, required, minItems: 1, maxItems: MaxTagsPerResource);
        return items?.Select(t => new ResourceTag(
            t.String("Key", required: true, minLength: 1, maxLength: 128)!,
            t.String("Value", required: true, minLength: 0, maxLength: 256)!)).ToList();
    }

    private static async Task<IResult> TagAsync(HttpContext context, ApiContext api)
    {
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var arn = ReadArn(body);
        var tags = ReadTags(body, "Tags", required: true)!;
        var cancellationToken = context.RequestAborted;
        await RequireResourceAsync(api, arn, cancellationToken).ConfigureAwait(false);
        var existing = await api.Store.GetTagsAsync(arn, cancellationToken).ConfigureAwait(false);
        var keys = existing.Select(t => t.Key).Concat(tags.Select(t => t.Key)).Distinct(StringComparer.Ordinal).Count();
        if (keys > MaxTagsPerResource)
        {
            throw new AwsErrorException(AwsError.ResourceLimitExceeded($"A resource can carry at most {MaxTagsPerResource} tags."));
        }

        await api.Store.PutTagsAsync(arn, tags, cancellationToken).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> UntagAsync(HttpContext context, ApiContext api)
    {
        var body = await JsonBody.ReadAsync(context).ConfigureAwait(false);
        var arn = ReadArn(body);
        var keys = body.StringList("TagKeys", required: true, minItems: 1, maxItems: MaxTagsPerResource, minLength: 1, maxLength: 128)!;
        await RequireResourceAsync(api, arn, context.RequestAborted).ConfigureAwait(false);
        await api.Store.RemoveTagsAsync(arn, keys, context.RequestAborted).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> ListAsync(HttpContext context, ApiContext api)
    {
        var arn = QueryReader.String(context.Request, "arn", required: true)!;
        JsonBody.CheckString("arn", arn, 1, 1024, Patterns.Arn());
        await RequireResourceAsync(api, arn, context.RequestAborted).ConfigureAwait(false);
        var tags = await api.Store.GetTagsAsync(arn, context.RequestAborted).ConfigureAwait(false);
        return Results.Json(
            new TagListResponse(tags.Select(t => new TagShape(t.Key, t.Value)).ToList()),
            WireJsonContext.Default.TagListResponse,
            "application/json");
    }

    private static string ReadArn(JsonBody body) =>
        body.String("ResourceARN", required: true, minLength: 1, maxLength: 1024, pattern: Patterns.Arn())!;

    /// <summary>Tags exist only on resources that exist: <c>arn:aws:chime:&lt;region&gt;:&lt;account&gt;:sma|vc|vcg|voice-profile-domain/&lt;id&gt;</c>.</summary>
    private static async Task RequireResourceAsync(ApiContext api, string arn, CancellationToken cancellationToken)
    {
        var parts = arn.Split(':', 6);
        var slash = parts.Length == 6 ? parts[5].IndexOf('/', StringComparison.Ordinal) : -1;
        if (parts.Length != 6 || parts[2] != "chime" || slash <= 0)
        {
            throw JsonBody.Bad($"ResourceARN {arn} is not a Chime SDK Voice resource ARN.");
        }

        var type = parts[5][..slash];
        var id = parts[5][(slash + 1)..];
        var exists = type switch
        {
            "sma" => await api.Store.GetAsync<SipMediaApplication>(id, cancellationToken).ConfigureAwait(false) is { } sma
                && ApiContext.SipMediaApplicationArn(sma.Value) == arn,
            "vc" => await api.Store.GetAsync<VoiceConnector>(id, cancellationToken).ConfigureAwait(false) is { } vc
                && ApiContext.VoiceConnectorArn(vc.Value.AwsRegion, vc.Value.AwsAccountId, vc.Value.Id) == arn,
            "vcg" => await api.Store.GetAsync<VoiceConnectorGroup>(id, cancellationToken).ConfigureAwait(false) is { } vcg
                && ApiContext.VoiceConnectorGroupArn(vcg.Value.AwsRegion, vcg.Value.AwsAccountId, vcg.Value.Id) == arn,
            "voice-profile-domain" => await api.Store.GetAsync<VoiceProfileDomain>(id, cancellationToken).ConfigureAwait(false) is { } domain
                && VoiceAnalyticsEndpoints.DomainArn(domain.Value) == arn,
            _ => throw JsonBody.Bad($"ResourceARN {arn} names a resource type ({type}) that cannot be tagged."),
        };
        if (!exists)
        {
            throw new AwsErrorException(AwsError.NotFound($"Resource {arn} not found."));
        }
    }
}
