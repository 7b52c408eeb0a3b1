using OpenSma.ControlPlane.Http;
using OpenSma.ControlPlane.PhoneNumbers;
using OpenSma.ControlPlane.Wire;
using OpenSma.Storage.Resources;

namespace OpenSma.ControlPlane.Endpoints;

/// <summary>Associating numbers with a voice connector or a group, reporting per-number errors.</summary>
internal static class PhoneNumberAssociations
{
    public static async Task<List<PhoneNumberErrorShape>> AssociateAsync(
        ApiContext api, string associationName, string targetId, IReadOnlyList<string> numbers, bool force, CancellationToken cancellationToken)
    {
        var errors = new List<PhoneNumberErrorShape>();
        var now = api.Now;
        foreach (var raw in numbers)
        {
            var e164 = raw.StartsWith('+') ? raw : "+" + raw;
            AwsError? error = null;
            var result = await api.Store.MutateAsync<PhoneNumber>(
                e164,
                n =>
                {
                    error = null;
                    if (n.ProductType != "VoiceConnector")
                    {
                        error = AwsError.BadRequest($"Phone number {e164} has product type {n.ProductType}; it needs VoiceConnector.");
                        return null;
                    }

                    if (n.DeletionTimestamp is not null)
                    {
                        error = AwsError.BadRequest($"Phone number {e164} is in the deletion queue.");
                        return null;
                    }

                    var others = n.Associations.Where(a => a.Name is "VoiceConnectorId" or "VoiceConnectorGroupId").ToList();
                    if (others.Any(a => a.Name == associationName && a.Value == targetId))
                    {
                        return null;
                    }

                    if (others.Count > 0 && !force)
                    {
                        error = AwsError.Conflict($"Phone number {e164} is associated with {others[0].Name} {others[0].Value}; use ForceAssociate to move it.", "PhoneNumberAssociationsExist");
                        return null;
                    }

                    var kept = n.Associations.Except(others).Append(new PhoneNumberAssociation(associationName, targetId, now)).ToList();
                    return n with { Associations = kept, Status = PhoneNumberLifecycle.StatusFor(n.Status, kept), UpdatedTimestamp = now };
                },
                cancellationToken).ConfigureAwait(false);
            if (result.Status == WriteStatus.NotFound)
            {
                error = AwsError.NotFound($"Phone number {e164} not found.");
            }

            if (error is not null)
            {
                errors.Add(new PhoneNumberErrorShape(e164, error.Code, error.Message));
            }
        }

        return errors;
    }

    public static async Task<List<PhoneNumberErrorShape>> DisassociateAsync(
        ApiContext api, string associationName, string targetId, IReadOnlyList<string> numbers, CancellationToken cancellationToken)
    {
        var errors = new List<PhoneNumberErrorShape>();
        var now = api.Now;
        foreach (var raw in numbers)
        {
            var e164 = raw.StartsWith('+') ? raw : "+" + raw;
            var associated = true;
            var result = await api.Store.MutateAsync<PhoneNumber>(
                e164,
                n =>
                {
                    var kept = n.Associations.Where(a => !(a.Name == associationName && a.Value == targetId)).ToList();
                    associated = kept.Count != n.Associations.Count;
                    return associated ? n with { Associations = kept, Status = PhoneNumberLifecycle.StatusFor(n.Status, kept), UpdatedTimestamp = now } : null;
                },
                cancellationToken).ConfigureAwait(false);
            if (result.Status == WriteStatus.NotFound)
            {
                errors.Add(new PhoneNumberErrorShape(e164, "NotFound", $"Phone number {e164} not found."));
            }
            else if (!associated)
            {
                errors.Add(new PhoneNumberErrorShape(e164, "BadRequest", $"Phone number {e164} is not associated with {associationName} {targetId}."));
            }
        }

        return errors;
    }

    public static async Task<bool> AnyAssociatedAsync(ApiContext api, string associationName, string targetId, CancellationToken cancellationToken)
    {
        var numbers = await api.Store.ListAllAsync<PhoneNumber>(cancellationToken).ConfigureAwait(false);
        return numbers.Any(n => n.Value.Associations.Any(a => a.Name == associationName && a.Value == targetId));
    }
}
