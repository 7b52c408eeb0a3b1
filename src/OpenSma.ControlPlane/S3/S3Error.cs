using Microsoft.AspNetCore.Http;

namespace OpenSma.ControlPlane.S3;

/// <summary>An S3 error: the XML <c>Code</c>, the HTTP status and a message (S3 API reference, "Error responses").</summary>
internal sealed record S3Error(string Code, int Status, string Message)
{
    public string? BucketName { get; init; }

    public string? Key { get; init; }

    public static S3Error NoSuchBucket(string bucket) =>
        new("NoSuchBucket", StatusCodes.Status404NotFound, "The specified bucket does not exist") { BucketName = bucket };

    public static S3Error NoSuchKey(string bucket, string key) =>
        new("NoSuchKey", StatusCodes.Status404NotFound, "The specified key does not exist.") { BucketName = bucket, Key = key };

    public static S3Error InvalidBucketName(string bucket) =>
        new("InvalidBucketName", StatusCodes.Status400BadRequest, "The specified bucket is not valid.") { BucketName = bucket };

    public static S3Error InvalidKey(string bucket, string key) =>
        new("InvalidArgument", StatusCodes.Status400BadRequest, "This object key cannot be stored by OpenSMA (a '..' or empty segment, or a reserved name).") { BucketName = bucket, Key = key };

    public static S3Error InvalidArgument(string message) => new("InvalidArgument", StatusCodes.Status400BadRequest, message);

    public static S3Error AccessDenied(string message = "Access Denied") => new("AccessDenied", StatusCodes.Status403Forbidden, message);

    public static S3Error SignatureDoesNotMatch() => new(
        "SignatureDoesNotMatch",
        StatusCodes.Status403Forbidden,
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.");

    public static S3Error NotImplemented(string what) =>
        new("NotImplemented", StatusCodes.Status501NotImplemented, $"{what} is not implemented by OpenSMA's S3 endpoint.");

    public static S3Error InternalError(string message) => new("InternalError", StatusCodes.Status500InternalServerError, message);
}

/// <summary>Raised while reading or authenticating a request; the middleware writes it as XML.</summary>
internal sealed class S3ErrorException(S3Error error) : Exception(error.Message)
{
    public S3Error Error { get; } = error;
}
