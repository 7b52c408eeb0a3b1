using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenSma.ControlPlane.Http;

namespace OpenSma.ControlPlane.Endpoints;

/// <summary>
/// ValidateE911Address. Validating a street address against the emergency-services address
/// database is done by Amazon's E911 provider; a self-hosted server has no such database, and
/// answering "valid" would be a lie that matters in an emergency. The request is checked against
/// the model, then refused with the error AWS gives where emergency calling is not available.
/// </summary>
internal static class EmergencyAddressEndpoints
{
    private static readonly string[] Required = ["AwsAccountId", "StreetNumber", "StreetInfo", "City", "State", "Country", "PostalCode"];

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/emergency-calling/address", async (HttpContext c, ApiContext api) =>
        {
            var body = await JsonBody.ReadAsync(c).ConfigureAwait(false);
            foreach (var name in Required)
            {
                var value = body.String(name, required: true)!;
                if (!Patterns.IsNonEmpty(value))
                {
                    throw JsonBody.Bad($"{name} must not be blank.");
                }
            }

            var account = body.String("AwsAccountId")!;
            if (account != api.Options.AwsAccountId)
            {
                throw new AwsErrorException(AwsError.Forbidden($"AwsAccountId {account} is not this account."));
            }

            return (IResult)new AwsErrorResult(AwsError.BadRequest(
                "Emergency address validation is not available: OpenSMA has no E911 address-validation provider. Validate addresses with your carrier."));
        });
    }
}
