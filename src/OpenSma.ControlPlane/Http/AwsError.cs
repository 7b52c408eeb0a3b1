namespace OpenSma.ControlPlane.Http;

/// <summary>An AWS restJson1 error: the exception shape name (sent as <c>x-amzn-ErrorType</c>),
/// the body <c>Code</c>, the HTTP status and a message.</summary>
internal sealed record AwsError(string Type, string Code, int Status, string Message)
{
    public static AwsError BadRequest(string message) => new("BadRequestException", "BadRequest", 400, message);

    public static AwsError NotFound(string message) => new("NotFoundException", "NotFound", 404, message);

    public static AwsError Conflict(string message, string code = "Conflict") => new("ConflictException", code, 409, message);

    public static AwsError ResourceLimitExceeded(string message) =>
        new("ResourceLimitExceededException", "ResourceLimitExceeded", 400, message);

    public static AwsError Throttled(string message) => new("ThrottledClientException", "Throttled", 429, message);

    public static AwsError Forbidden(string message) => new("ForbiddenException", "Forbidden", 403, message);

    public static AwsError ServiceFailure(string message) => new("ServiceFailureException", "ServiceFailure", 500, message);

    public static AwsError ServiceUnavailable(string message) => new("ServiceUnavailableException", "ServiceUnavailable", 503, message);
}

/// <summary>Raised by request validation and handlers; turned into the error response by one filter.</summary>
internal sealed class AwsErrorException(AwsError error) : Exception(error.Message)
{
    public AwsError Error { get; } = error;
}
