using System.Text.Json.Serialization.Metadata;

namespace OpenSma.Storage.Resources;

/// <summary>A number in the account's inventory. The id is the E.164 number itself.</summary>
/// <param name="Status">An AWS <c>PhoneNumberStatus</c> value.</param>
/// <param name="DeletionTimestamp">Set while the number waits in the deletion queue.</param>
public sealed record PhoneNumber(
    string Id,
    string E164PhoneNumber,
    string Country,
    string Type,
    string ProductType,
    string Status,
    IReadOnlyList<PhoneNumberAssociation> Associations,
    string? CallingName,
    string? CallingNameStatus,
    string? Name,
    string? OrderId,
    DateTimeOffset CreatedTimestamp,
    DateTimeOffset UpdatedTimestamp,
    DateTimeOffset? DeletionTimestamp) : IResourceDocument<PhoneNumber>
{
    public static string Kind => "phone-number";

    public static JsonTypeInfo<PhoneNumber> JsonTypeInfo => ResourceJsonContext.Default.PhoneNumber;

    public string? UniqueKey => null;
}

/// <param name="Name"><c>VoiceConnectorId</c>, <c>VoiceConnectorGroupId</c> or <c>SipRuleId</c>.</param>
public sealed record PhoneNumberAssociation(string Name, string Value, DateTimeOffset AssociatedTimestamp);
