using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OpenSma.ControlPlane.Auth;
using OpenSma.ControlPlane.Tests.Infrastructure;
using OpenSma.Aws.Signing;

namespace OpenSma.ControlPlane.Tests.Auth;

public sealed class SigV4FilterTests
{
    private const string Key = "AKIDSTRICT";
    private const string Secret = "strict-secret";
    private const string Body = """{"AwsRegion":"us-east-1","Name":"signed","Endpoints":[{"LambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:f"}]}""";

    private static Func<ControlPlaneOptions, ControlPlaneOptions> Mode(SigV4Mode mode) => o => o with
    {
        SigV4 = new SigV4Options { Mode = mode, Credentials = new Dictionary<string, string> { [Key] = Secret } },
    };

    private static async Task<(HttpResponseMessage Response, JsonElement Body)> SendRawAsync(ControlPlaneServer server, HttpRequestMessage request)
    {
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Signs like boto3 does (content-type;host;x-amz-date, no payload-hash header).</summary>
    private static HttpRequestMessage Signed(ControlPlaneServer server, HttpMethod method, string pathAndQuery, string? body, DateTimeOffset at, string secret = Secret)
    {
        var amzDate = at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var host = server.BaseAddress.Authority;
        var headers = new HeaderDictionary { ["Host"] = host, ["X-Amz-Date"] = amzDate };
        string[] signed = body is null ? ["host", "x-amz-date"] : ["content-type", "host", "x-amz-date"];
        if (body is not null)
        {
            headers["Content-Type"] = "application/json";
        }

        var authorization = new SigV4Authorization(Key, amzDate[..8], "us-east-1", "chime", signed, "");
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body ?? "")));
        var canonical = SigV4Canonicalizer.CanonicalRequest(method.Method, "/" + pathAndQuery, headers, signed, hash);
        var signature = SigV4.Signature(SigV4Canonicalizer.SigningKey(secret, authorization), SigV4.StringToSign(amzDate, authorization.Scope, canonical));

        var request = new HttpRequestMessage(method, pathAndQuery);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={authorization.AccessKeyId}/{authorization.Scope}, SignedHeaders={string.Join(';', signed)}, Signature={signature}");
        if (body is not null)
        {
            request.Content = new StringContent(body, new UTF8Encoding(false), "application/json");
            request.Content.Headers.ContentType!.CharSet = null;
        }

        return request;
    }

    [Fact]
    public async Task Off_NoAuthorization_IsServed()
    {
        await using var server = await ControlPlaneServer.StartAsync(Mode(SigV4Mode.Off));

        var (response, _) = await SendRawAsync(server, new HttpRequestMessage(HttpMethod.Get, "sip-media-applications"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Dev_MissingOrMalformedAuthorization_Is403()
    {
        await using var server = await ControlPlaneServer.StartAsync(Mode(SigV4Mode.Dev));
        var malformed = new HttpRequestMessage(HttpMethod.Get, "sip-media-applications");
        malformed.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=x");

        var (missing, missingBody) = await SendRawAsync(server, new HttpRequestMessage(HttpMethod.Get, "sip-media-applications"));
        var (bad, badBody) = await SendRawAsync(server, malformed);
        var (devAnySignature, _) = await server.SendAsync(HttpMethod.Get, "sip-media-applications");

        AwsAssert.Error(missing, missingBody, HttpStatusCode.Forbidden, "MissingAuthenticationTokenException");
        AwsAssert.Error(bad, badBody, HttpStatusCode.Forbidden, "IncompleteSignatureException");
        Assert.Equal(HttpStatusCode.OK, devAnySignature.StatusCode);
    }

    [Fact]
    public async Task Strict_ValidSignature_IsServedOnPlusEncodedPathAndWithBody()
    {
        await using var server = await ControlPlaneServer.StartAsync(Mode(SigV4Mode.Strict));
        var now = server.Time.GetUtcNow();

        var (create, _) = await SendRawAsync(server, Signed(server, HttpMethod.Post, "sip-media-applications", Body, now));
        var (number, numberBody) = await SendRawAsync(server, Signed(server, HttpMethod.Get, "phone-numbers/%2B12065550100", null, now));

        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        AwsAssert.Error(number, numberBody, HttpStatusCode.NotFound, "NotFoundException");
    }

    [Fact]
    public async Task Strict_TamperedBodyWrongSecretOrOldDate_IsRejected()
    {
        await using var server = await ControlPlaneServer.StartAsync(Mode(SigV4Mode.Strict));
        var now = server.Time.GetUtcNow();
        var tampered = Signed(server, HttpMethod.Post, "sip-media-applications", Body, now);
        tampered.Content = new StringContent(Body.Replace("signed", "forged", StringComparison.Ordinal), new UTF8Encoding(false), "application/json");
        tampered.Content.Headers.ContentType!.CharSet = null;

        var (tamper, tamperBody) = await SendRawAsync(server, tampered);
        var (wrong, wrongBody) = await SendRawAsync(server, Signed(server, HttpMethod.Get, "sip-media-applications", null, now, "other-secret"));
        var (old, oldBody) = await SendRawAsync(server, Signed(server, HttpMethod.Get, "sip-media-applications", null, now - TimeSpan.FromMinutes(6)));
        var (edge, _) = await SendRawAsync(server, Signed(server, HttpMethod.Get, "sip-media-applications", null, now - TimeSpan.FromMinutes(4)));

        AwsAssert.Error(tamper, tamperBody, HttpStatusCode.Forbidden, "InvalidSignatureException", "does not match");
        AwsAssert.Error(wrong, wrongBody, HttpStatusCode.Forbidden, "InvalidSignatureException");
        AwsAssert.Error(old, oldBody, HttpStatusCode.Forbidden, "InvalidSignatureException", "Signature expired");
        Assert.Equal(HttpStatusCode.OK, edge.StatusCode);
        Assert.Empty(await server.Store.ListAsync<OpenSma.Storage.Resources.SipMediaApplication>(0, 10, CancellationToken.None));
    }

    [Fact]
    public async Task Strict_TamperedQuery_IsRejected()
    {
        await using var server = await ControlPlaneServer.StartAsync(Mode(SigV4Mode.Strict));
        var signed = Signed(server, HttpMethod.Get, "sip-rules?max-results=5", null, server.Time.GetUtcNow());
        signed.RequestUri = new Uri("sip-rules?max-results=6", UriKind.Relative);

        var (response, body) = await SendRawAsync(server, signed);

        AwsAssert.Error(response, body, HttpStatusCode.Forbidden, "InvalidSignatureException");
    }
}
