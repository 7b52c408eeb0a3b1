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

        SipMediaApplicationEndpoints.Map(group);
        CallEndpoints.Map(group);
        SipRuleEndpoints.Map(group);
        TagEndpoints.Map(group);
        PhoneNumberOrderEndpoints.Map(group);
        PhoneNumberEndpoints.Map(group);
        VoiceConnectorEndpoints.Map(group);
        VoiceConnectorConfigurationEndpoints.Map(group);
        VoiceConnectorGroupEndpoints.Map(group);
        return endpoints;
    }
}
