using System.Globalization;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;

namespace OpenSma.ControlPlane.S3;

/// <summary>Writing S3's XML bodies and errors (namespace http://s3.amazonaws.com/doc/2006-03-01/).</summary>
internal static class S3Responses
{
    public static readonly XNamespace Ns = "http://s3.amazonaws.com/doc/2006-03-01/";

    public static XElement E(string name, params object?[] content) => new(Ns + name, content);

    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string HttpDate(DateTimeOffset time) => time.UtcDateTime.ToString("R", CultureInfo.InvariantCulture);

    public static async Task WriteXmlAsync(HttpContext context, int status, XElement root)
    {
        var body = Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + root.ToString(SaveOptions.DisableFormatting));
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/xml";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The error document; HEAD answers carry only the status, as S3's do.</summary>
    public static Task WriteErrorAsync(HttpContext context, S3Error error, string requestId)
    {
        var response = context.Response;
        response.Headers.Clear();
        response.Headers["x-amz-request-id"] = requestId;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            response.StatusCode = error.Status;
            return Task.CompletedTask;
        }

        // Error documents are not in the S3 namespace.
        var root = new XElement(
            "Error",
            new XElement("Code", error.Code),
            new XElement("Message", error.Message),
            error.BucketName is { } bucket ? new XElement("BucketName", bucket) : null,
            error.Key is { } key ? new XElement("Key", key) : null,
            new XElement("Resource", context.Request.Path.ToString()),
            new XElement("RequestId", requestId));
        var body = Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + root.ToString(SaveOptions.DisableFormatting));
        response.StatusCode = error.Status;
        response.ContentType = "application/xml";
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
