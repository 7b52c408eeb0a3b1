using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenSma.ControlPlane.Auth;
using OpenSma.ControlPlane.Endpoints;
using OpenSma.ControlPlane.Http;

namespace OpenSma.ControlPlane;

public static class ChimeSdkVoiceEndpointRouteBuilderExtensions
{
    private static readonly string[] ApiPrefixes =
    [
        "sip-media-applications", "sip-rules", "phone-numbers", "phone-number-orders", "phone-number-countries",
        "search", "tags", "settings", "voice-connectors", "voice-connector-groups", "voice-connector-regions",
        "voice-profiles", "voice-profile-domains", "emergency-calling",
    ];

    /// <summary>Maps every supported Chime SDK Voice operation (restJson1, SigV4) under
    /// <see cref="ControlPlaneOptions.BasePath"/>.</summary>
    public static IEndpointRouteBuilder MapChimeSdkVoiceApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetRequiredService<ControlPlaneOptions>();
        var group = endpoints.MapGroup(options.BasePath.TrimEnd('/'));
        group.AddEndpointFilter(new RequestIdFilter());
        group.AddEndpointFilter(endpoints.ServiceProvider.GetRequiredService<AwsErrorFilter>());
        group.AddEndpointFilter(endpoints.ServiceProvider.GetRequiredService<SigV4Filter>());
        group.AddEndpointFilter(new EmptyLabelFilter());

        SipMediaApplicationEndpoints.Map(group);
        CallEndpoints.Map(group);
        SipRuleEndpoints.Map(group);
        TagEndpoints.Map(group);
        PhoneNumberOrderEndpoints.Map(group);
        PhoneNumberEndpoints.Map(group);
        VoiceConnectorEndpoints.Map(group);
        VoiceConnectorConfigurationEndpoints.Map(group);
        VoiceConnectorGroupEndpoints.Map(group);
        ProxyEndpoints.Map(group);
        VoiceAnalyticsEndpoints.Map(group);
        EmergencyAddressEndpoints.Map(group);

        // Unknown operations under the API's own prefixes answer like AWS (NotFoundException with
        // the error header) instead of an empty 404/405; other paths on the host are left alone.
        foreach (var prefix in ApiPrefixes)
        {
            group.MapFallback($"/{prefix}/{{**rest}}", (HttpContext c) => (IResult)new AwsErrorResult(
                AwsError.NotFound($"No operation matches {c.Request.Method} {c.Request.Path}{c.Request.QueryString}.")));
        }

        return endpoints;
    }
}
