using System.Net.Http.Headers;
using OpenSma.Aws.Signing;

namespace OpenSma.Aws.Tests.Signing;

public sealed class SigV4RequestSignerTests
{
    private const string Url =
        "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af/invocations?Qualifier=live";

    private static readonly DateTimeOffset SignedAt = new(2026, 11, 24, 8, 55, 35, TimeSpan.Zero);

    // Expected values come from botocore's SigV4Auth (Python, the AWS CLI's signer) given the same
    // request, key pair and time, with X-Amz-Content-SHA256 set as this signer sets it.
    [Theory]
    [InlineData(null,
        "content-type;host;x-amz-content-sha256;x-amz-date;x-amz-invocation-type;x-amz-log-type",
        "7b385297961253cf2089c05aa6c154ecab3dc7336573b6ed65d7782bf8fbd630")]
    [InlineData("TOKEN/with+chars=",
        "content-type;host;x-amz-content-sha256;x-amz-date;x-amz-invocation-type;x-amz-log-type;x-amz-security-token",
        "0605b334e9d647b820cfed44b235ded2b113965f34af1639f2d019ef8a64ab1c")]
    public void Sign_LambdaInvoke_MatchesBotocore(string? sessionToken, string signedHeaders, string signature)
    {
        var body = "{\"a\":1}"u8.ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Url)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("X-Amz-Invocation-Type", "RequestResponse");
        request.Headers.TryAddWithoutValidation("X-Amz-Log-Type", "Tail");

        SigV4RequestSigner.Sign(request, body, new AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken), "us-east-1", "lambda", SignedAt);

        Assert.Equal(
            $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-1/lambda/aws4_request, SignedHeaders={signedHeaders}, Signature={signature}",
            Assert.Single(request.Headers.GetValues("Authorization")));
        Assert.Equal("20261124T085535Z", Assert.Single(request.Headers.GetValues("X-Amz-Date")));
        Assert.Equal(sessionToken is not null, request.Headers.Contains("X-Amz-Security-Token"));
    }
}
