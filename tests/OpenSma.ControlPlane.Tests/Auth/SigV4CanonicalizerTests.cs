using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using OpenSma.ControlPlane.Auth;
using OpenSma.Aws.Signing;

namespace OpenSma.ControlPlane.Tests.Auth;

public sealed class SigV4CanonicalizerTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string AmzDate = "20150830T123600Z";

    // The first two are the AWS SigV4 test suite's get-vanilla and get-vanilla-query-order-key-case;
    // the others were computed with botocore's SigV4Auth for the same key and date.
    [Theory]
    [InlineData("GET", "/", null, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")]
    [InlineData("GET", "/?Param2=value2&Param1=value1", null, "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")]
    [InlineData("GET", "/phone-numbers/%2B12065550100?operation=restore", null, "e25fcd43d0af62c7369c0d3b6b7b07abea195884dcf492ea8a7fefbd6fede8f8")]
    [InlineData("POST", "/sip-rules", """{"Name":"a b"}""", "ef51c5c9f49cc90799b09f70ac2ca665de1ac647362a3ff1a87f0b43782d72d9")]
    public void Signature_KnownVectors_Match(string method, string rawTarget, string? body, string expected)
    {
        var headers = new HeaderDictionary { ["Host"] = "example.amazonaws.com", ["X-Amz-Date"] = AmzDate };
        string[] signed = ["host", "x-amz-date"];
        if (body is not null)
        {
            headers["Content-Type"] = "application/json";
            signed = ["content-type", "host", "x-amz-date"];
        }

        var authorization = new SigV4Authorization("AKIDEXAMPLE", "20150830", "us-east-1", "service", signed, expected);
        var payloadHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body ?? "")));

        var canonical = SigV4Canonicalizer.CanonicalRequest(method, rawTarget, headers, signed, payloadHash);
        var signature = SigV4.Signature(SigV4Canonicalizer.SigningKey(Secret, authorization), SigV4.StringToSign(AmzDate, authorization.Scope, canonical));

        Assert.Equal(expected, signature);
    }

    [Fact]
    public void CanonicalRequest_PercentEncodedPath_IsEncodedTwice()
    {
        var headers = new HeaderDictionary { ["Host"] = "h" };

        var canonical = SigV4Canonicalizer.CanonicalRequest("GET", "/phone-numbers/%2B12065550100?arn=arn%3Aaws%3Achime&b=a%20b", headers, ["host"], "x");

        Assert.Equal("GET\n/phone-numbers/%252B12065550100\narn=arn%3Aaws%3Achime&b=a%20b\nhost:h\n\nhost\nx", canonical);
    }

    [Theory]
    [InlineData("AWS4-HMAC-SHA256 Credential=AK/20261124/us-east-1/chime/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", null)]
    [InlineData("Basic dXNlcjpwYXNz", "algorithm")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AK/2026/us-east-1/chime/aws4_request, SignedHeaders=host, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "Credential")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AK/20261124/us-east-1/chime/aws4_request, SignedHeaders=Host, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "lower-case")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AK/20261124/us-east-1/chime/aws4_request, SignedHeaders=host, Signature=xyz", "Signature")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AK/20261124/us-east-1/chime/aws4_request, SignedHeaders=host", "requires")]
    public void TryParse_HeaderShapes_AcceptsOnlyWellFormed(string header, string? problemContains)
    {
        var parsed = SigV4Authorization.TryParse(header, out var problem);

        if (problemContains is null)
        {
            Assert.NotNull(parsed);
            Assert.Equal("chime", parsed.Service);
            Assert.Equal(["host", "x-amz-date"], parsed.SignedHeaders);
        }
        else
        {
            Assert.Null(parsed);
            Assert.Contains(problemContains, problem, StringComparison.Ordinal);
        }
    }
}
