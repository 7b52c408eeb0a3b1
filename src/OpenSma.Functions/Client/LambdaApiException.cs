namespace OpenSma.Functions.Client;

/// <summary>An error answer of the Lambda API: Lambda's error type (X-Amzn-ErrorType) and message.</summary>
public sealed class LambdaApiException : Exception
{
    public LambdaApiException(int statusCode, string errorType, string message)
        : base($"{errorType}: {message}")
    {
        StatusCode = statusCode;
        ErrorType = errorType;
    }

    public LambdaApiException() { }

    public LambdaApiException(string message) : base(message) { }

    public LambdaApiException(string message, Exception innerException) : base(message, innerException) { }

    public int StatusCode { get; }

    public string ErrorType { get; } = "";
}
