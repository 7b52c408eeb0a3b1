using System.Text.Json.Serialization.Metadata;

namespace OpenSma.Storage.Resources;

/// <summary>An order for numbers; it completes at <paramref name="CompletesAt"/>.</summary>
public sealed record PhoneNumberOrder(
    string Id,
    string ProductType,
    string Status,
    string OrderType,
    IReadOnlyList<OrderedPhoneNumber> OrderedPhoneNumbers,
    string? Name,
    DateTimeOffset CreatedTimestamp,
    DateTimeOffset UpdatedTimestamp,
    DateTimeOffset CompletesAt) : IResourceDocument<PhoneNumberOrder>
{
    public static string Kind => "phone-number-order";

    public static JsonTypeInfo<PhoneNumberOrder> JsonTypeInfo => ResourceJsonContext.Default.PhoneNumberOrder;

    public string? UniqueKey => null;
}

/// <param name="Status"><c>Processing</c>, <c>Acquired</c> or <c>Failed</c>.</param>
public sealed record OrderedPhoneNumber(string E164PhoneNumber, string Status);
