namespace OpenSma.ControlPlane.Wire;

internal sealed record PhoneNumberShape(
    string PhoneNumberId,
    string E164PhoneNumber,
    string Country,
    string Type,
    string ProductType,
    string Status,
    PhoneNumberCapabilitiesShape Capabilities,
    IReadOnlyList<PhoneNumberAssociationShape> Associations,
    string? CallingName,
    string? CallingNameStatus,
    string CreatedTimestamp,
    string UpdatedTimestamp,
    string? DeletionTimestamp,
    string? OrderId,
    string? Name,
    string PhoneNumberArn);

internal sealed record PhoneNumberCapabilitiesShape(
    bool InboundCall,
    bool OutboundCall,
    bool InboundSMS,
    bool OutboundSMS,
    bool InboundMMS,
    bool OutboundMMS);

internal sealed record PhoneNumberAssociationShape(string Value, string Name, string AssociatedTimestamp);

internal sealed record PhoneNumberResponse(PhoneNumberShape PhoneNumber);

internal sealed record PhoneNumberListResponse(IReadOnlyList<PhoneNumberShape> PhoneNumbers, string? NextToken);

internal sealed record OrderedPhoneNumberShape(string E164PhoneNumber, string Status);

internal sealed record PhoneNumberOrderShape(
    string PhoneNumberOrderId,
    string ProductType,
    string Status,
    string OrderType,
    IReadOnlyList<OrderedPhoneNumberShape> OrderedPhoneNumbers,
    string CreatedTimestamp,
    string UpdatedTimestamp);

internal sealed record PhoneNumberOrderResponse(PhoneNumberOrderShape PhoneNumberOrder);

internal sealed record PhoneNumberOrderListResponse(IReadOnlyList<PhoneNumberOrderShape> PhoneNumberOrders, string? NextToken);

internal sealed record SearchAvailablePhoneNumbersResponse(IReadOnlyList<string> E164PhoneNumbers, string? NextToken);

internal sealed record PhoneNumberErrorShape(string PhoneNumberId, string ErrorCode, string ErrorMessage);

internal sealed record PhoneNumberErrorsResponse(IReadOnlyList<PhoneNumberErrorShape> PhoneNumberErrors);

internal sealed record PhoneNumberSettingsResponse(string? CallingName, string? CallingNameUpdatedTimestamp);

internal sealed record PhoneNumberCountryShape(string CountryCode, IReadOnlyList<string> SupportedPhoneNumberTypes);

internal sealed record PhoneNumberCountriesResponse(IReadOnlyList<PhoneNumberCountryShape> PhoneNumberCountries);
