using System.Net;
using System.Text.Json;

namespace OpenSma.ControlPlane.Tests.Infrastructure;

public static class AwsAssert
{
    /// <summary>Asserts the restJson1 error wire shape: status, x-amzn-ErrorType and Code/Message.</summary>
    public static void Error(HttpResponseMessage response, JsonElement body, HttpStatusCode status, string errorType, string? messageContains = null)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(errorType, Assert.Single(response.Headers.GetValues("x-amzn-ErrorType")));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(errorType.Replace("Exception", "", StringComparison.Ordinal), body.GetProperty("Code").GetString());
        if (messageContains is not null)
        {
            Assert.Contains(messageContains, body.GetProperty("Message").GetString(), StringComparison.Ordinal);
        }
    }
}
