using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace OpenSma.ControlPlane.Http;

/// <summary>Writes an <see cref="AwsError"/> the way both SDKs parse it: header first, then the
/// <c>Code</c>/<c>Message</c> body (plus lower-case <c>message</c> for older parsers).</summary>
internal sealed class AwsErrorResult(AwsError error) : IResult
{
    public AwsError Error { get; } = error;

    public static Task WriteAsync(HttpContext context, AwsError error)
    {
        var response = context.Response;
        response.StatusCode = error.Status;
        response.Headers["x-amzn-ErrorType"] = error.Type;
        response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("Code", error.Code);
            writer.WriteString("Message", error.Message);
            writer.WriteString("message", error.Message);
            writer.WriteEndObject();
        }

        response.ContentLength = buffer.Length;
        return response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).AsTask();
    }

    public Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext, Error);
}
